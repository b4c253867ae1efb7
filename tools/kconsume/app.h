// kconsume's program: everything main() does, so that main.cc stays a one-liner.
#pragma once

namespace airstream::kconsume {

int run(int argc, char** argv);

}  // namespace airstream::kconsume
