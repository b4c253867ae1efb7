// The uxform command: options, then the read-transform-write loop.
#pragma once

namespace airstream::uxform {

// Runs uxform with the given command line; returns the process exit status.
int run(int argc, char** argv);

}  // namespace airstream::uxform
