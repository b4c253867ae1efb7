// rufetch's entry point (main() only calls this): parses the command line, picks the
// source (HTTP API or --synthetic), runs the page loop and reports the outcome.
#pragma once

namespace airstream::rufetch {

int run(int argc, char** argv);

}  // namespace airstream::rufetch
