// kproduce: NDJSON records from stdin or files to a Kafka topic (see run.cc).
#include "common/signals.h"
#include "run.h"

int main(int argc, char** argv) {
  airstream::install_signal_handlers();
  return kproduce::run(argc, argv);
}
