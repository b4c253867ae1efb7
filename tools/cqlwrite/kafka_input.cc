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
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "common/avro/sink_value.h"
#include "common/diag.h"
#include "common/json/json.h"
#include "common/kafka/source.h"
#include "common/signals.h"
#include "common/units.h"
#include "input.h"

namespace airstream::cqlwrite {
namespace {

// Topic names by a small number carried in Record::tag with the partition, so that
// acknowledgements (from the session's thread) can name their topic.
class TopicTable {
 public:
  uint32_t id(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < names_.size(); i++)
      if (names_[i] == name) return static_cast<uint32_t>(i);
    names_.push_back(name);
    return static_cast<uint32_t>(names_.size() - 1);
  }
  // References stay valid: a deque never moves its elements on push_back.
  const std::string& name(uint32_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return names_[id];
  }

 private:
  std::mutex mu_;
  std::deque<std::string> names_;
};

uint64_t make_tag(uint32_t topic, int32_t partition) {
  return (static_cast<uint64_t>(topic) << 32) | static_cast<uint32_t>(partition);
}
uint32_t tag_topic(uint64_t tag) {
  return static_cast<uint32_t>(tag >> 32);
}
int32_t tag_partition(uint64_t tag) {
  return static_cast<int32_t>(static_cast<uint32_t>(tag));
}

// "topic":..,"partition":.. (the record's offset is the reject record's "offset").
std::string reject_context(const std::string& topic, int32_t partition) {
  return "\"topic\":" + json_string(topic) + ",\"partition\":" + std::to_string(partition);
}

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
  auto ko = kafka_sink_source_options(o, "cqlwrite");
  if (!ko.ok()) {
    diag::error("%s", ko.status().message().c_str());
    return ko.status().exit_code();
  }
  // Read ahead a few rounds of requests in flight: little to abandon (and write twice)
  // when partitions are revoked.
  ko->max_pending = static_cast<size_t>(std::clamp(4 * o.concurrency * std::max(1, o.batch_rows), 1000, 200000));
  avro::SinkValueDecoder values;
  if (Status s = values.open(o.value_format, common.reader); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  auto partitions = PartitionMetrics::create();
  partitions->export_to(stats, true);
  KafkaSource src;
  src.set_metrics(partitions.get());
  if (Status s = src.open(*ko); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  auto& committed = stats.counter("records_committed", "Records whose Kafka offsets are committed");

  TopicTable topics;
  AckFn on_ack = [&](Record& r, const Ack& a) {
    const std::string& topic = topics.name(tag_topic(r.tag));
    int32_t partition = tag_partition(r.tag);
    bool done = a.kind == Ack::kStored ? st.on_ack(r, a) : st.on_ack(r, a, reject_context(topic, partition));
    if (done) src.ack(topic, partition, static_cast<int64_t>(r.offset));
  };

  int exit_code = kExitOk;
  KafkaRecord kr;
  // A revocation waits for the revoked partitions' writes: send what is batched.
  src.set_flush_hook([&sink] { sink.flush(); });
  for (;;) {
    committed.store(src.committed_records(), std::memory_order_relaxed);
    if (stop_requested() || st.stopping()) break;
    // Commits run in the background and never stop reading; failures are only reported.
    auto next = src.next(kr, std::chrono::milliseconds(100));
    if (std::string w = src.take_warning(); !w.empty()) diag::warn("%s", w.c_str());
    if (next == KafkaSource::Next::kIdle) {
      sink.flush();
      continue;
    }
    if (next == KafkaSource::Next::kEnd) break;
    if (next == KafkaSource::Next::kError) {
      diag::error("%s", src.status().message().c_str());
      exit_code = src.status().exit_code();
      break;
    }
    st.records_in.fetch_add(1, std::memory_order_relaxed);
    // The message value becomes the record: JSON as it is, or registry Avro decoded.
    std::string_view value, error;
    auto decoded = values.decode(kr.value, value, error);
    if (decoded == avro::SinkValueDecoder::Outcome::kFatal) {  // not acknowledged: re-read after a restart
      if (stop_requested()) break;                             // a signal cut the registry's retries short
      diag::error("%s", values.status().message().c_str());
      exit_code = values.status().exit_code();
      break;
    }
    if (decoded == avro::SinkValueDecoder::Outcome::kBad) {
      st.rejected.fetch_add(1, std::memory_order_relaxed);
      if (st.report(
              {kr.seq, static_cast<uint64_t>(kr.offset), error, value, reject_context(kr.topic, kr.partition), {}}))
        src.ack(kr.topic, kr.partition, kr.offset);
      continue;
    }
    std::string_view text;
    switch (
        st.transform(value, kr.seq, static_cast<uint64_t>(kr.offset), reject_context(kr.topic, kr.partition), text)) {
      case RunState::Step::kWrite:
        break;
      case RunState::Step::kDone:  // filtered out, or rejected and reported: committable
        src.ack(kr.topic, kr.partition, kr.offset);
        continue;
      case RunState::Step::kNotDone:
        continue;
    }
    Record r = make_record(text, kr.seq, static_cast<uint64_t>(kr.offset));
    r.tag = make_tag(topics.id(kr.topic), kr.partition);
    sink.submit(std::move(r), on_ack);
  }
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
