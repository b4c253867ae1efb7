// kconsume: Kafka topics -> NDJSON on stdout (see app.cc and kconsume(1)).
#include "app.h"

int main(int argc, char** argv) {
  return airstream::kconsume::run(argc, argv);
}
