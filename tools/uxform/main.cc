// uxform: transform NDJSON records (see run.cc and man/uxform.1).
#include "run.h"

int main(int argc, char** argv) {
  return airstream::uxform::run(argc, argv);
}
