// kproduce's main flow: parse the command line, handle -X list / -X dump, connect
// (exit 69 if no broker answers within --timeout), optionally create the topic, then
// read records (LineReader), validate and build each message (MessageBuilder),
// enqueue it (Producer, with backpressure) and, at the end, wait for every delivery
// report. Invalid lines and failed deliveries go through the Rejecter. With
// --transactional-id the records are sent in transactions (committed every
// --txn-records N and at the end, aborted on SIGINT/SIGTERM).
#include "run.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/diag.h"
#include "common/kafka/conf.h"
#include "common/json/ndjson_reader.h"
#include "common/json/ndjson_writer.h"
#include "common/reject.h"
#include "common/signals.h"
#include "common/stats.h"
#include "message.h"
#include "options.h"
#include "producer.h"

namespace kproduce {
namespace {

using airstream::Status;

int fail(const Status& st) {
  airstream::diag::error("%s", st.message().c_str());
  return st.exit_code();
}

void print_stdout(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// librdkafka's own log lines (connection failures etc.) are shown with -v only: the
// errors that matter reach the user as statuses and rejects.
void log_line(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  airstream::diag::info(level <= 4 ? 1 : 2, "librdkafka: %s: %s", fac, buf);
}

BuildOptions build_options(const ProduceOptions& o, const AvroTarget& value, const AvroTarget& key) {
  BuildOptions b;
  b.avro_value = value;
  b.avro_key = key;
  b.envelope = o.envelope;
  b.key_path = o.key_path;
  b.fixed_key = o.fixed_key;
  for (const auto& h : o.headers) {
    Header parsed;
    if (parse_header_option(h, &parsed)) b.extra_headers.push_back(parsed);
  }
  return b;
}

// Bytes of a produced record that are not its key, value or headers, as librdkafka
// counts them against message.max.bytes (the largest varint framing of a v2 record:
// length, attributes, timestamp and offset deltas, key and value lengths, header
// count); each header adds at most 10 bytes of lengths.
constexpr size_t kRecordOverhead = 36;
constexpr size_t kHeaderOverhead = 10;

// The client's message size limit (message.max.bytes, default 1000000).
size_t message_max_bytes(rd_kafka_conf_t* conf) {
  char buf[64];
  size_t n = sizeof buf;
  if (rd_kafka_conf_get(conf, "message.max.bytes", buf, &n) != RD_KAFKA_CONF_OK) return 1000000;
  return static_cast<size_t>(std::strtoull(buf, nullptr, 10));
}

// what: "record of N bytes" or "line longer than N bytes".
std::string too_large(const std::string& what, size_t limit) {
  return what + ": larger than a Kafka message may be (message.max.bytes=" + std::to_string(limit) +
         ", record framing included; raise -X message.max.bytes and the topic's max.message.bytes)";
}

// The read/produce loop. Returns the status that ends the run early (stop signal
// is not an error: reader.stopped() tells). limit: message.max.bytes.
Status produce_all(const ProduceOptions& o, Producer& producer, airstream::Rejecter& rej, airstream::LineReader& reader,
                   airstream::Writer* tee, std::atomic<uint64_t>& in, std::atomic<uint64_t>& invalid, size_t limit,
                   const AvroTarget& avro_value, const AvroTarget& avro_key) {
  MessageBuilder builder(build_options(o, avro_value, avro_key));
  airstream::LineRecord rec;
  OutMessage msg;
  int64_t in_txn = 0;
  bool transactional = !o.transactional_id.empty();
  while (reader.next(rec) == airstream::LineReader::Next::kRecord) {
    in++;
    std::string err;
    if (!rec.error.empty()) {
      err = std::string(rec.error);
      if (err == "line too long" && !o.envelope && o.common.reader.max_line + kRecordOverhead == limit)
        err = too_large("line longer than " + std::to_string(o.common.reader.max_line) + " bytes", limit);
    } else {
      err = builder.build(rec.text, &msg);
      if (err.empty() && msg.topic.empty() && o.topic.empty()) err = "envelope: no topic (and no -t)";
      if (err.empty()) {
        size_t size = (msg.has_value ? msg.value.size() : 0) + (msg.has_key ? msg.key.size() : 0);
        size_t framing = kRecordOverhead;
        for (const auto& h : msg.headers) size += h.name.size() + h.value.size(), framing += kHeaderOverhead;
        if (size + framing > limit) err = too_large("record of " + std::to_string(size) + " bytes", limit);
      }
    }
    if (!err.empty()) {
      invalid++;
      Status st = rej.reject({rec.line,
                              rec.offset,
                              err,
                              rec.text,
                              {},
                              rec.source != nullptr ? std::string_view(*rec.source) : std::string_view()});
      if (!st.ok()) return st;
      continue;
    }
    if (!o.topic.empty()) msg.topic = {};
    if (o.partition >= 0) msg.partition = o.partition;
    if (transactional && !producer.in_transaction()) {
      if (Status st = producer.begin_transaction(); !st.ok()) return st;
    }
    if (Status st = producer.produce(msg, rec.line, rec.offset, rec.text); !st.ok()) return st;
    if (o.txn_records > 0 && ++in_txn >= o.txn_records) {
      in_txn = 0;
      if (Status st = producer.commit_transaction(); !st.ok()) return st;
    }
    if (tee != nullptr && tee->broken_pipe()) break;
  }
  if (!reader.stopped() && !reader.status().ok()) return reader.status();
  return Status::Ok();
}

// The registry schemas of --value-format/--key-format avro.
Status avro_targets(const ProduceOptions& o, AvroTarget& value, AvroTarget& key) {
  if (o.value_format != "avro" && o.key_format != "avro") return Status::Ok();
  auto ro = airstream::avro::resolve_registry(o.registry);
  if (!ro.ok()) return ro.status();
  auto client = airstream::avro::RegistryClient::create(*ro);
  if (!client.ok()) return client.status();
  auto pick = [&](bool is_key, AvroTarget& t) -> Status {
    const std::string& given = is_key ? o.key_subject : o.subject;
    std::string subject = given.empty() ? airstream::avro::subject_for(o.topic, is_key) : given;
    auto s = airstream::avro::writer_schema(**client, subject, is_key ? o.key_schema_file : o.schema_file,
                                            is_key ? o.key_schema_id : o.schema_id);
    if (!s.ok()) return s.status();
    t.schema = s->schema;
    t.id = s->id;
    airstream::diag::info(1, "%s schema id %u (subject %s)", is_key ? "key" : "value", t.id, subject.c_str());
    return Status::Ok();
  };
  if (o.value_format == "avro") {
    if (Status st = pick(false, value); !st.ok()) return st;
  }
  if (o.key_format == "avro") return pick(true, key);
  return Status::Ok();
}

}  // namespace

int run(int argc, char** argv) {
  airstream::Cli cli("kproduce",
                     "kproduce (airstream): produce NDJSON records (one per line, validated as JSON) "
                     "to a Kafka topic, waiting for every delivery report");
  ProduceOptions o;
  add_options(cli, o);
  if (auto code = cli.parse(argc, argv)) return *code;
  if (airstream::wants_property_list(o.kafka)) {
    print_stdout(airstream::kafka_properties_text());
    return 0;
  }
  bool dump = airstream::wants_conf_dump(o.kafka);
  if (dump && o.topic.empty()) o.topic = "-";  // a topic is not needed to dump the configuration
  if (Status st = check_options(o); !st.ok()) return fail(st);
  auto conf = airstream::make_kafka_conf(o.kafka, producer_defaults(o));
  if (!conf.ok()) return fail(conf.status());
  rd_kafka_conf_set_log_cb(conf.value().get(), &log_line);
  const size_t max_message = message_max_bytes(conf.value().get());
  if (!o.envelope && max_message > kRecordOverhead) {
    size_t fits = max_message - kRecordOverhead;
    if (!o.common.max_line_given) {
      o.common.reader.max_line = fits;  // the default: what a message can hold
    } else if (o.common.reader.max_line > fits) {
      airstream::diag::note(
          "lines up to --max-line %zu bytes are read, but a Kafka message holds at most %zu "
          "(message.max.bytes=%zu): larger records are rejected (raise -X message.max.bytes)",
          o.common.reader.max_line, fits, max_message);
    }
  }
  if (dump) {
    print_stdout(airstream::kafka_conf_dump(conf.value().get()));
    return 0;
  }

  AvroTarget avro_value, avro_key;
  if (Status st = avro_targets(o, avro_value, avro_key); !st.ok()) return fail(st);
  airstream::Rejecter rej;
  if (Status st = rej.open("kproduce", o.common.reject); !st.ok()) return fail(st);
  rej.set_offset_in_context(false);  // the offset is the input line's, not a Kafka offset
  airstream::Stats stats("kproduce");
  auto& in = stats.counter("records_in", "Input records read");
  auto& delivered = stats.counter("records_out", "Records whose delivery the broker confirmed");
  auto& bytes = stats.counter("bytes_out", "Value bytes delivered");
  auto& invalid = stats.counter("records_invalid", "Input records rejected before sending");
  auto& failed = stats.counter("delivery_failed", "Records whose delivery failed");
  auto& queue_full = stats.counter("queue_full_waits", "Waits for room in the local producer queue (backpressure)");
  auto& latency = stats.histogram("delivery_latency", "Microseconds from enqueue to delivery report");
  stats.set_progress_counters({"records_out"});

  airstream::Writer tee_out(STDOUT_FILENO);
  tee_out.set_line_buffered(o.common.line_buffered);
  ProducerSettings ps;
  ps.default_topic = o.topic;
  ps.timeout_ms = o.timeout_ms;
  ps.keep_raw = o.envelope;
  ps.transactional = !o.transactional_id.empty();
  Producer producer(ps, rej, {&delivered, &bytes, &failed, &queue_full, &latency}, o.tee ? &tee_out : nullptr);
  if (Status st = producer.open(std::move(conf.value())); !st.ok()) return fail(st);
  if (Status st = producer.wait_reachable(); !st.ok()) return fail(st);
  if (o.create_topic) {
    if (Status st = producer.create_topic(o.topic, o.partitions, o.replication_factor); !st.ok()) return fail(st);
  }
  if (Status st = stats.start(o.common.stats_options); !st.ok()) return fail(st);

  // Kafka's limit is said up front: by default a line is read at most as long as a
  // message may be (longer ones are rejected as they are read, never held whole); a
  // --max-line above it is noted once, and a larger record is rejected with the limit.
  const size_t limit = max_message;
  airstream::LineReader reader(o.inputs, o.common.reader);
  reader.set_idle_hook([&] {
    // Input is idle: deliver what is queued so --tee output and rejects are not held back.
    (void)producer.poll(o.tee ? 500 : 0);
    (void)tee_out.flush();
  });
  Status result =
      produce_all(o, producer, rej, reader, o.tee ? &tee_out : nullptr, in, invalid, limit, avro_value, avro_key);

  // Finish: abort the open transaction on a stop or error, otherwise deliver and commit.
  Status end;
  if (producer.in_transaction() && (reader.stopped() || !result.ok())) {
    end = producer.abort_transaction();
  } else {
    end = producer.drain();
    if (end.ok() && producer.in_transaction()) end = producer.commit_transaction();
  }
  (void)tee_out.flush();
  (void)rej.flush();
  (void)stats.finish();
  airstream::diag::info(1, "%llu records read, %llu delivered, %llu invalid, %llu delivery failures",
                        static_cast<unsigned long long>(in.load()), static_cast<unsigned long long>(delivered.load()),
                        static_cast<unsigned long long>(invalid.load()),
                        static_cast<unsigned long long>(failed.load()));

  if (reader.stopped()) {
    if (!end.ok()) airstream::diag::warn("%s", end.message().c_str());
    return airstream::stop_exit_code();
  }
  if (!result.ok()) {
    if (!end.ok() && end.message() != result.message()) airstream::diag::warn("%s", end.message().c_str());
    return fail(result);
  }
  if (!end.ok()) return fail(end);
  if (producer.failures() > 0 && producer.unreachable())
    return fail(Status(airstream::kExitUnavailable, "Kafka cluster unreachable; undelivered records rejected"));
  return rej.finish_code();
}

}  // namespace kproduce
