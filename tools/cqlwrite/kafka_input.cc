// cqlwrite --from-kafka: records come from a Kafka consumer group (common/kafka/source.h)
// instead of NDJSON files. A record is acknowledged to the source, and so becomes
// committable, only once the sink acknowledged it as stored, or as rejected and
// written to the reject file (one write(2) per reject, done before the ack). A record
// whose write ran out of retries is never acknowledged: reading stops, in-flight
// writes drain, and the final commit stops just before it in its partition, so a
// restart with the same group re-reads it and everything after it. The same happens
// for records in flight when the process is killed. Rows are upserts by primary key,
// so re-written records leave the table as if written once.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "common/avro/sink_value.h"
#include "common/diag.h"
#include "common/json/json.h"
#include "common/kafka/reader.h"
#include "common/kafka/source.h"
#include "common/signals.h"
#include "common/units.h"
#include "input.h"

namespace airstream::cqlwrite {
namespace {

std::vector<std::pair<std::string, std::string>> consumer_defaults(const Options& o) {
  return {{"client.id", "cqlwrite"}, {"group.id", o.group}};
}

}  // namespace

int dump_kafka_conf(const Options& o) {
  auto conf = make_kafka_conf(o.kafka, consumer_defaults(o));
  if (!conf.ok()) {
    diag::error("%s", conf.status().message().c_str());
    return conf.status().exit_code();
  }
  std::string text = kafka_conf_dump(conf->get());
  fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int read_kafka(const Options& o, const CommonOptions& common, CqlSink& sink, RunState& st, Stats& stats,
               std::string& where) {
  auto ko = kafka_sink_source_options(o, "cqlwrite", kPrefetchKbytes);
  if (!ko.ok()) {
    diag::error("%s", ko.status().message().c_str());
    return ko.status().exit_code();
  }
  // Read ahead sixteen times the requests in flight (4096 records by default, a few MB):
  // deep enough that the reading threads seldom wait for the sink (with 4x, the direct
  // path moved 20-30% fewer records/s on a loaded machine), still little to abandon
  // (and write twice) when partitions are revoked.
  ko->max_pending = static_cast<size_t>(std::clamp(16 * o.concurrency * std::max(1, o.batch_rows), 1000, 200000));
  auto partitions = PartitionMetrics::create();
  partitions->export_to(stats, true);
  avro::SinkValueDecoder values;  // used by the reader thread only (status() once it stopped)
  if (Status s = values.open(o.value_format, common.reader); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  KafkaSource src;
  src.set_metrics(partitions.get());
  if (Status s = src.open(*ko); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  auto& committed = stats.counter("records_committed", "Records whose Kafka offsets are committed");
  auto& pauses = stats.counter("fetch_pauses", kFetchPausesHelp);

  KafkaReader reader(src);
  AckFn on_ack = [&](Record& r, const Ack& a) {
    bool done = a.kind == Ack::kStored ? st.on_ack(r, a) : st.on_ack(r, a, reader.reject_context(r.tag));
    if (done) reader.ack(r.tag, static_cast<int64_t>(r.offset));
  };
  // A registry that cannot be reached (Avro values) stops the run: set by the reader thread.
  std::atomic<bool> registry_down{false};
  // The reader thread: records refused before parsing, and the transform. A record
  // rejected or filtered out there is settled there; the others are queued.
  std::string context, context_topic;  // of the partition read last (records come in runs)
  int32_t context_partition = -1;
  auto prepare = [&](const KafkaRecord& kr, ReadItem& item) {
    st.records_in.fetch_add(1, std::memory_order_relaxed);
    // The message value becomes the record: JSON as it is, or registry Avro decoded.
    std::string_view value, error;
    auto decoded = values.decode(kr.value, kr.topic, value, error);
    if (decoded == avro::SinkValueDecoder::Outcome::kFatal) {  // not acknowledged: re-read after a restart
      registry_down.store(true, std::memory_order_release);
      return false;
    }
    if (kr.partition != context_partition || kr.topic != context_topic) {
      context = KafkaReader::reject_context(kr.topic, kr.partition);
      context_topic = kr.topic;
      context_partition = kr.partition;
    }
    if (decoded == avro::SinkValueDecoder::Outcome::kBad) {
      st.rejected.fetch_add(1, std::memory_order_relaxed);
      if (st.report({kr.seq, static_cast<uint64_t>(kr.offset), error, value, context, {}}))
        src.ack(kr.topic, kr.partition, kr.offset);
      return false;
    }
    std::string_view text;
    switch (st.transform(value, kr.seq, static_cast<uint64_t>(kr.offset), context, text)) {
      case RunState::Step::kWrite:
        KafkaReader::fill(item, text);
        item.valid_json = st.out_is_valid();
        return true;
      case RunState::Step::kDone:  // filtered out, or rejected and reported: committable
        src.ack(kr.topic, kr.partition, kr.offset);
        return false;
      case RunState::Step::kNotDone:
        return false;
    }
    return false;
  };
  KafkaReader::Options ro;
  // Half the read-ahead queued: with the writes in flight, the source rarely pauses.
  ro.soft_limit = std::min<size_t>(ko->max_pending / 2, 4096);
  ro.warn = [](const std::string& w) { diag::warn("%s", w.c_str()); };
  ro.committed = &committed;
  ro.pauses = &pauses;
  reader.start(prepare, std::move(ro));

  int exit_code = kExitOk;
  ReadItem item;
  for (;;) {
    if (stop_requested() || st.stopping()) break;
    if (registry_down.load(std::memory_order_acquire)) {
      diag::error("%s", values.status().message().c_str());
      exit_code = values.status().exit_code();
      break;
    }
    auto next = reader.next(item, std::chrono::milliseconds(100));
    if (next == KafkaReader::Next::kIdle) {
      sink.flush();
      continue;
    }
    if (next == KafkaReader::Next::kEnd) break;
    if (next == KafkaReader::Next::kError) {
      diag::error("%s", reader.status().message().c_str());
      exit_code = reader.status().exit_code();
      break;
    }
    Record r;
    r.text = std::move(item.text);
    r.line = item.seq;
    r.offset = item.offset;
    r.tag = item.tag;
    r.valid_json = item.valid_json;
    sink.submit(std::move(r), on_ack);
  }
  // No more reading (a revocation from now on finds nothing queued to wait for).
  reader.stop();
  sink.flush();
  if (stop_requested() || st.stopping())
    diag::info(1, "stopping: waiting for %zu write(s) in flight", sink.in_flight());
  sink.drain();
  // Every acknowledgement has arrived: commit what is stored or reported, leave the group.
  Status cs = src.close();
  committed.store(src.committed_records(), std::memory_order_relaxed);
  if (src.commits_refused() > 0)
    diag::info(1,
               "%llu offset commit(s) refused after the group rebalanced: those partitions' new owners read "
               "from the last commit",
               static_cast<unsigned long long>(src.commits_refused()));
  if (!cs.ok()) {
    // 75 even after a signal (as in pgload and kconsume): the offsets are not saved.
    diag::error("%s", cs.message().c_str());
    if (exit_code == kExitOk) exit_code = cs.exit_code();
  }
  where =
      "stopped reading Kafka: offsets are committed up to the first record not stored or reported in each "
      "partition; a restart with group '" +
      o.group + "' resumes there";
  return exit_code;
}

}  // namespace airstream::cqlwrite
