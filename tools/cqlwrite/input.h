// cqlwrite's record sources and the state they share with run(): NDJSON files or
// stdin (read_files) and Kafka topics through a consumer group (read_kafka, for
// --from-kafka). Each feeds a CqlSink and returns once its input is exhausted, a
// signal arrived, --max-errors was exceeded or a write ran out of retries; every
// record it submitted is acknowledged (the sink is drained) when it returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/cli.h"
#include "common/kafka/envelope_input.h"
#include "common/reject.h"
#include "common/stats.h"
#include "common/transform/record_transform.h"
#include "options.h"
#include "sink.h"

namespace airstream::cqlwrite {

struct RunState {
  Rejecter& rej;
  std::atomic<uint64_t>& records_in;
  std::atomic<uint64_t>& written;
  std::atomic<uint64_t>& rejected;
  std::atomic<uint64_t>& failed;
  Histogram& latency;
  std::atomic<uint64_t>& filtered;
  transform::RecordTransform* xform = nullptr;  // --preset, --set, --where, ...: null without
  std::atomic<int> abort_code{0};               // --max-errors exceeded (65) or reject file I/O error (74)
  std::atomic<bool> temp_failure{false};        // a write ran out of retries
  std::atomic<bool> unreachable{false};         // ... because no node could be reached
  EnvelopeInput* envelope = nullptr;            // --envelope: lines are kconsume envelopes

  bool stopping() const { return abort_code.load() != 0 || temp_failure.load(); }
  // Reports a record that was not written (reject file or stderr). False when the
  // reject could not be recorded (I/O error); abort_code is set on any non-ok status.
  bool report(const RejectInfo& info);
  // Counts one acknowledgement of the sink and reports rejected or failed records.
  // True when the record is done for its source: stored, or rejected and reported.
  bool on_ack(const Record& r, const Ack& a, std::string_view extra_json = {});

  // What to do with a record read, after the transform (if any).
  enum class Step { kWrite, kDone, kNotDone };
  // kWrite: write `out` (the transformed record, or text itself without a transform).
  // kDone: filtered out, or rejected and reported. kNotDone: rejected, but the reject
  // could not be recorded. text must be followed by kJsonPadding readable bytes.
  Step transform(std::string_view text, uint64_t line, uint64_t offset, std::string_view extra_json,
                 std::string_view& out);
  // After kWrite: `out` is known to be a valid record (the transform wrote it).
  bool out_is_valid() const { return xform != nullptr && xform->writes_valid_json(); }
};

// Reads NDJSON from o.inputs (stdin by default). Returns 0 or the reader's error exit
// code; `where` receives a note on where reading stopped.
int read_files(const Options& o, const CommonOptions& common, CqlSink& sink, RunState& st, std::string& where);

// Reads from the Kafka topics of o.from_kafka in group o.group; commits a partition's
// offset only past records that are stored or rejected and reported.
int read_kafka(const Options& o, const CommonOptions& common, CqlSink& sink, RunState& st, Stats& stats,
               std::string& where);

// -X dump: prints the consumer configuration --from-kafka would use.
int dump_kafka_conf(const Options& o);

}  // namespace airstream::cqlwrite
