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

std::vector<std::pair<std::string, std::string>> consumer_defaults(const PgloadOptions& o) {
  return {{"client.id", "pgload"}, {"group.id", o.group}};
}

}  // namespace

Status KafkaInput::open(const PgloadOptions& o, PartitionMetrics* metrics, size_t max_line, bool validate_utf8,
                        transform::RecordTransform* xform, std::atomic<uint64_t>* committed,
                        std::atomic<uint64_t>* pauses) {
  auto ko = kafka_sink_source_options(o, "pgload");
  if (!ko.ok()) return ko.status();
  // Read ahead about two batches per job: enough to keep the jobs busy, little to
  // abandon (and load twice) when partitions are revoked. (With small batches the
  // loader's queued chunks hold more, and fetching pauses: fetch_pauses shows it.)
  ko->max_pending = static_cast<size_t>(std::clamp<int64_t>(2 * o.batch_rows * o.jobs_value, 256, 200000));
  if (Status s = values_.open(o.value_format, ReaderOptions{max_line, 1u << 20, validate_utf8}); !s.ok()) return s;
  src_.set_metrics(metrics);
  if (Status s = src_.open(*ko); !s.ok()) return s;
  // The reading threads: records refused before parsing, then the transform. Every
  // record goes on to the loader (rejected and filtered ones too: they are settled
  // with their batch, in order).
  auto prepare = [this, xform](const KafkaRecord& kr, ReadItem& item) {
    // The message value becomes the record: JSON as it is, or registry Avro decoded.
    std::string_view value, error;
    auto decoded = values_.decode(kr.value, kr.topic, value, error);
    if (decoded == avro::SinkValueDecoder::Outcome::kFatal) {  // not acknowledged: re-read after a restart
      registry_down_.store(true, std::memory_order_release);
      return false;
    }
    if (decoded == avro::SinkValueDecoder::Outcome::kBad) {
      item.error = error;
      KafkaReader::fill(item, value);
    } else if (xform == nullptr) {
      KafkaReader::fill(item, value);
    } else {
      switch (xform->apply(value)) {
        case transform::RecordTransform::Outcome::kWritten:
          KafkaReader::fill(item, xform->out());
          item.valid_json = xform->writes_valid_json();
          break;
        case transform::RecordTransform::Outcome::kFiltered:
          item.filtered = true;
          break;
        case transform::RecordTransform::Outcome::kRejected:
          item.error = xform->reason();
          KafkaReader::fill(item, value);
          break;
      }
    }
    return true;
  };
  KafkaReader::Options ro;
  // A small part of the read-ahead queued: most of it waits in the jobs' batches.
  ro.soft_limit = std::min<size_t>(ko->max_pending / 4, 4096);
  ro.warn = [](const std::string& w) { diag::warn("%s", w.c_str()); };
  ro.committed = committed;
  ro.pauses = pauses;
  reader_.start(prepare, std::move(ro));
  return Status::Ok();
}

KafkaInput::Next KafkaInput::next(InputRecord& rec) {
  // The registry failed: stop (a signal cut its retries short: just stop).
  if (registry_down_.load(std::memory_order_acquire)) return stop_requested() ? Next::kEnd : Next::kError;
  if (wait_hook_ && !reader_.has_buffered()) wait_hook_();
  switch (reader_.next(item_, std::chrono::milliseconds(100))) {
    case KafkaReader::Next::kItem:
      break;
    case KafkaReader::Next::kIdle:
      return Next::kIdle;
    case KafkaReader::Next::kEnd:
      return Next::kEnd;
    case KafkaReader::Next::kError:
      return Next::kError;
  }
  rec.line = item_.seq;
  rec.offset = item_.offset;
  rec.tag = item_.tag;
  rec.text = item_.text;
  rec.error = item_.error;
  rec.filtered = item_.filtered;
  rec.valid_json = item_.valid_json;
  return Next::kRecord;
}

void KafkaInput::ack(const std::vector<RowMeta>& rows) {
  for (const auto& m : rows) reader_.ack(m.tag, static_cast<int64_t>(m.offset));
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
