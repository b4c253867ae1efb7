// kproduce's program: command line, then the read -> validate -> produce loop.
#pragma once

namespace kproduce {

// The whole tool; returns the process exit code.
int run(int argc, char** argv);

}  // namespace kproduce
