// pgload --from-kafka (see kafka_input.h). The consumer's prefetch is bounded
// (queued.max.messages.kbytes, overridable with -X) and KafkaSource stops fetching
// while too many records are unacknowledged, so memory stays bounded. A record longer
// than --max-line or not valid UTF-8 is refused here, like LineReader does for files,
// and so is registry Avro that does not decode (avro::SinkValueDecoder).
#include "kafka_input.h"

#include <algorithm>
#include <cstdio>

#include "common/diag.h"
#include "common/json/json.h"
#include "common/signals.h"
#include "common/units.h"

namespace airstream::pgload {
namespace {

uint64_t make_tag(uint32_t topic, int32_t partition) {
  return (static_cast<uint64_t>(topic) << 32) | static_cast<uint32_t>(partition);
}

std::vector<std::pair<std::string, std::string>> consumer_defaults(const PgloadOptions& o) {
  return {{"client.id", "pgload"}, {"group.id", o.group}};
}

}  // namespace

Status KafkaInput::open(const PgloadOptions& o, const ReaderOptions& limits, PartitionMetrics* metrics) {
  auto ko = kafka_sink_source_options(o, "pgload");
  if (!ko.ok()) return ko.status();
  if (Status s = values_.open(o.value_format, limits); !s.ok()) return s;
  // Read ahead about two batches per job: enough to keep the jobs busy, little to
  // abandon (and load twice) when partitions are revoked.
  ko->max_pending = static_cast<size_t>(std::clamp<int64_t>(2 * o.batch_rows * o.jobs_value, 256, 200000));
  src_.set_metrics(metrics);
  return src_.open(*ko);
}

uint32_t KafkaInput::topic_id(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < topics_.size(); i++)
    if (topics_[i] == name) return static_cast<uint32_t>(i);
  topics_.push_back(name);
  return static_cast<uint32_t>(topics_.size() - 1);
}

const std::string& KafkaInput::topic_name(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return topics_[id];
}

KafkaInput::Next KafkaInput::next(InputRecord& rec) {
  if (!values_.status().ok()) return Next::kError;  // the registry failed: stop for good
  // Commits run in the background and never stop reading; failures are only reported.
  auto next = src_.next(kr_, std::chrono::milliseconds(100));
  if (std::string w = src_.take_warning(); !w.empty()) diag::warn("%s", w.c_str());
  switch (next) {
    case KafkaSource::Next::kIdle:
      return Next::kIdle;
    case KafkaSource::Next::kEnd:
      return Next::kEnd;
    case KafkaSource::Next::kError:
      return Next::kError;
    case KafkaSource::Next::kRecord:
      break;
  }
  rec.line = kr_.seq;
  rec.offset = static_cast<uint64_t>(kr_.offset);
  rec.tag = make_tag(topic_id(kr_.topic), kr_.partition);
  // The message value becomes the record: JSON as it is, or registry Avro decoded.
  // A registry failure leaves the message unacknowledged: a restart re-reads it.
  if (values_.decode(kr_.value, rec.text, rec.error) == avro::SinkValueDecoder::Outcome::kFatal)
    return stop_requested() ? Next::kEnd : Next::kError;  // a signal cut the retries short
  return Next::kRecord;
}

std::string KafkaInput::reject_context(uint64_t tag) {
  int32_t partition = static_cast<int32_t>(static_cast<uint32_t>(tag));
  return "\"topic\":" + json_string(topic_name(static_cast<uint32_t>(tag >> 32))) +
         ",\"partition\":" + std::to_string(partition);
}

void KafkaInput::ack(const std::vector<RowMeta>& rows) {
  for (const auto& m : rows)
    src_.ack(topic_name(static_cast<uint32_t>(m.tag >> 32)), static_cast<int32_t>(static_cast<uint32_t>(m.tag)),
             static_cast<int64_t>(m.offset));
}

int dump_kafka_conf(const PgloadOptions& o) {
  auto conf = make_kafka_conf(o.kafka, consumer_defaults(o));
  if (!conf.ok()) {
    diag::error("%s", conf.status().message().c_str());
    return conf.status().exit_code();
  }
  std::string text = kafka_conf_dump(conf->get());
  fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace airstream::pgload
