// cqlwrite main flow: connect, prepare the table, then feed the sink from files or
// from Kafka (input.h). Exit codes: 0 all written; 1 some records rejected (bad value,
// non-retryable server error: each reported with its line number and reason); 65
// --max-errors exceeded; 69 no node reachable at start, or during the run for --timeout
// (the writes concerned are reported); 75 a write ran out of retries
// (reading stops, in-flight writes drain, the failed records are reported); 78
// configuration (authentication, TLS files, missing table); 130/143 after SIGINT/
// SIGTERM once in-flight writes are acknowledged or reported.
#include "run.h"

#include <unistd.h>

#include <cstdio>

#include "common/diag.h"
#include "common/json/ndjson_reader.h"
#include "common/signals.h"
#include "common/units.h"
#include "input.h"
#include "schema.h"

namespace airstream::cqlwrite {

bool RunState::report(const RejectInfo& info) {
  Status s = rej.reject(info);
  if (s.ok()) return true;
  int expected = 0;
  if (abort_code.compare_exchange_strong(expected, s.exit_code())) diag::error("%s", s.message().c_str());
  return s.exit_code() != kExitIoErr;  // past --max-errors the record is still in the reject file
}

bool RunState::on_ack(const Record& r, const Ack& a, std::string_view extra_json) {
  if (a.kind == Ack::kStored) {
    written.fetch_add(1, std::memory_order_relaxed);
    latency.record(a.latency_us);
    return true;
  }
  if (a.kind == Ack::kFailed) {
    failed.fetch_add(1, std::memory_order_relaxed);
    if (a.unreachable) unreachable = true;
    temp_failure = true;
    (void)report({r.line, r.offset, "not written: " + a.reason, r.text, extra_json, {}});
    return false;
  }
  rejected.fetch_add(1, std::memory_order_relaxed);
  return report({r.line, r.offset, a.reason, r.text, extra_json, {}});
}

RunState::Step RunState::transform(std::string_view text, uint64_t line, uint64_t offset, std::string_view extra_json,
                                   std::string_view& out) {
  out = text;
  if (xform == nullptr) return Step::kWrite;
  switch (xform->apply(text)) {
    case transform::RecordTransform::Outcome::kWritten:
      out = xform->out();
      return Step::kWrite;
    case transform::RecordTransform::Outcome::kFiltered:
      filtered.fetch_add(1, std::memory_order_relaxed);
      return Step::kDone;
    case transform::RecordTransform::Outcome::kRejected:
      break;
  }
  rejected.fetch_add(1, std::memory_order_relaxed);
  return report({line, offset, xform->reason(), text, extra_json, {}}) ? Step::kDone : Step::kNotDone;
}

int read_files(const Options& o, const CommonOptions& common, CqlSink& sink, RunState& st, std::string& where) {
  EnvelopeInput* env = st.envelope;
  AckFn on_ack = [&st, env](Record& r, const Ack& a) {
    if (env == nullptr) {
      (void)st.on_ack(r, a);
      return;
    }
    // A record is done for kconsume once stored, or rejected and reported.
    bool done = a.kind == Ack::kStored ? st.on_ack(r, a) : st.on_ack(r, a, env->context(r.tag));
    if (done) env->done(r.tag, static_cast<int64_t>(r.offset));
  };
  EnvelopeInput::Item item;
  int exit_code = kExitOk;
  uint64_t last_line = 0;
  LineReader reader(o.inputs, common.reader);
  reader.set_idle_hook([&] { sink.flush(); });
  LineRecord rec;
  for (;;) {
    if (st.stopping()) break;
    auto next = reader.next(rec);
    if (next != LineReader::Next::kRecord) {
      if (next == LineReader::Next::kError) {
        diag::error("%s", reader.status().message().c_str());
        exit_code = reader.status().exit_code();
      }
      break;
    }
    st.records_in.fetch_add(1, std::memory_order_relaxed);
    if (!rec.error.empty()) {
      st.rejected.fetch_add(1, std::memory_order_relaxed);
      (void)st.report({rec.line, rec.offset, rec.error, rec.text, {}, {}});
      continue;
    }
    last_line = rec.line;
    if (env == nullptr) {
      std::string_view text;
      if (st.transform(rec.text, rec.line, rec.offset, {}, text) != RunState::Step::kWrite) continue;
      Record r = make_record(text, rec.line, rec.offset);
      r.valid_json = st.out_is_valid();
      sink.submit(std::move(r), on_ack);
      continue;
    }
    auto kind = env->parse(rec.text, item);
    if (kind == EnvelopeInput::Kind::kRecord) {
      std::string_view text;
      auto step =
          st.transform(item.payload, rec.line, static_cast<uint64_t>(item.offset), env->context(item.tag), text);
      if (step == RunState::Step::kDone) env->done(item.tag, item.offset);  // filtered, or rejected and reported
      if (step != RunState::Step::kWrite) continue;
      Record r = make_record(text, rec.line, static_cast<uint64_t>(item.offset));
      r.tag = item.tag;
      r.valid_json = st.out_is_valid();
      sink.submit(std::move(r), on_ack);
    } else if (kind != EnvelopeInput::Kind::kDone) {
      // Not an envelope (no position: never acknowledged), or nothing to store.
      st.rejected.fetch_add(1, std::memory_order_relaxed);
      bool bad = kind == EnvelopeInput::Kind::kBad;
      if (st.report({rec.line,
                     bad ? rec.offset : static_cast<uint64_t>(item.offset),
                     item.reason,
                     rec.text,
                     bad ? std::string() : env->context(item.tag),
                     {}}))
        env->done(item.tag, item.offset);
    }
  }
  sink.flush();
  if (stop_requested() || reader.stopped())
    diag::info(1, "stopping: waiting for %zu write(s) in flight", sink.in_flight());
  sink.drain();
  where = "stopped after input line " + std::to_string(last_line) +
          ": records after it were not read (every record up to it is written or reported)";
  return exit_code;
}

int run(Options& o, const CommonOptions& common) {
  if (Status s = check_envelope_options(o, !o.from_kafka.empty()); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  if (wants_property_list(o.kafka)) {
    std::string text = kafka_properties_text();
    fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (wants_conf_dump(o.kafka)) return dump_kafka_conf(o);
  if (auto ko = kafka_sink_source_options(o, "cqlwrite", kPrefetchKbytes); !ko.ok()) {
    diag::error("%s", ko.status().message().c_str());
    return ko.status().exit_code();
  }
  if (auto f = avro::resolve_sink_format(o.values, !o.from_kafka.empty()); f.ok()) {
    o.value_format = std::move(*f);
  } else {
    diag::error("%s", f.status().message().c_str());
    return f.status().exit_code();
  }
  // A bad transform is a usage error, before any connection.
  auto made = transform::RecordTransform::make_if_requested(o.transform);
  if (!made.ok()) {
    diag::error("%s", made.status().message().c_str());
    return made.status().exit_code();
  }
  std::unique_ptr<transform::RecordTransform> xform = std::move(*made);
  auto sopt = session_options(o);
  if (!sopt.ok()) {
    diag::error("%s", sopt.status().message().c_str());
    return sopt.status().exit_code();
  }
  auto consistency = cql::parse_consistency(o.consistency);
  auto agreement = parse_duration(o.schema_timeout);
  if (!consistency || !agreement.ok()) {
    diag::error("bad --consistency or --schema-timeout");
    return kExitUsage;
  }
  EnvelopeInput envelope;
  if (Status s = envelope.open(o, "cqlwrite"); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  sopt->on_notice = [](const std::string& text) { diag::warn("%s", text.c_str()); };
  auto session = cql::Session::connect(*sopt);
  if (!session.ok()) {
    diag::error("%s", session.status().message().c_str());
    return session.status().exit_code();
  }
  cql::Session& s = **session;
  size_t up = 0;
  for (const auto& h : s.hosts()) up += h.up && !h.ignored;
  diag::info(1, "connected with protocol v%d to %zu of %zu node(s)%s", s.version(), up, s.hosts().size(),
             s.token_aware() ? ", token-aware routing" : "");
  if (o.create) {
    if (Status st = create_schema(s, o, static_cast<int>(agreement->count())); !st.ok()) {
      diag::error("%s", st.message().c_str());
      return st.exit_code();
    }
  }
  std::string ks = normalize_name(o.keyspace), table = normalize_name(o.table);
  auto columns = read_columns(s, ks, table);
  if (!columns.ok()) {
    diag::error("%s", columns.status().message().c_str());
    return columns.status().exit_code();
  }
  auto mapping = build_mapping(s, o, *columns);
  if (!mapping.ok()) {
    diag::error("%s", mapping.status().message().c_str());
    return mapping.status().exit_code() == kExitDataErr ? kExitConfig : mapping.status().exit_code();
  }

  Rejecter rej;
  if (Status st = rej.open("cqlwrite", common.reject); !st.ok()) {
    diag::error("%s", st.message().c_str());
    return st.exit_code();
  }
  Stats stats("cqlwrite");
  auto& records_in = stats.counter("records_in", "Records read");
  auto& written = stats.counter("rows_written", "Rows acknowledged by the cluster");
  auto& rejected = stats.counter("rejected", "Records rejected");
  auto& failed = stats.counter("failed", "Records not written: retries exhausted or no node");
  auto& filtered = stats.counter("records_filtered", "Records left out by --where");
  auto& latency = stats.histogram("write_latency", "Write latency of the last attempt, in seconds");
  stats.counter_fn(
      "retries", [&s] { return s.counters().retries.load(); }, "Requests retried after a failed attempt");
  stats.set_progress_counters({"rows_written", "rejected"});
  if (!o.from_kafka.empty()) stats.defer_ready();  // ready once partitions are assigned
  if (Status st = stats.start(common.stats_options); !st.ok()) {
    diag::error("%s", st.message().c_str());
    return st.exit_code();
  }

  RunState st{rej, records_in, written, rejected, failed, latency, filtered, xform.get()};
  if (o.envelope) st.envelope = &envelope;
  SinkOptions sk;
  sk.consistency = *consistency;
  sk.concurrency = o.concurrency;
  sk.batch_rows = o.batch_rows;
  sk.strict = o.strict;
  sk.max_frame_bytes = static_cast<size_t>(o.max_frame_mb) << 20;
  sk.timestamp_field = o.timestamp_field;
  if (!o.timestamp_field.empty() && mapping->by_field.count(o.timestamp_field)) {
    diag::error("--timestamp-field %s also feeds a column; --map that column to another field",
                o.timestamp_field.c_str());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::string where;
  {
    CqlSink sink(s, std::move(*mapping), sk);
    exit_code =
        o.from_kafka.empty() ? read_files(o, common, sink, st, where) : read_kafka(o, common, sink, st, stats, where);
  }
  (void)rej.flush();
  // Every record is settled: the last acknowledgements, then "end".
  if (Status s = envelope.finish(); !s.ok()) diag::warn("%s", s.message().c_str());
  (void)stats.finish();
  double secs = stats.elapsed_seconds();
  uint64_t w = written.load();
  std::string filtered_note = xform ? ", " + std::to_string(filtered.load()) + " filtered" : "";
  diag::note(
      "%llu rows written to %s.%s in %.2f s (%.0f rows/s), %llu rejected%s, %llu failed, %llu retries; "
      "latency p50 %.2f ms p99 %.2f ms",
      static_cast<unsigned long long>(w), ks.c_str(), table.c_str(), secs, secs > 0 ? w / secs : 0.0,
      static_cast<unsigned long long>(rejected.load()), filtered_note.c_str(),
      static_cast<unsigned long long>(failed.load()), static_cast<unsigned long long>(s.counters().retries.load()),
      latency.quantile(0.5) / 1000.0, latency.quantile(0.99) / 1000.0);
  if ((stop_requested() || st.stopping()) && !where.empty()) diag::note("%s", where.c_str());
  // A failed final commit is 75 even after a signal (kconsume and pgload agree).
  if (exit_code == kExitTempFail) return exit_code;
  if (stop_requested()) return stop_exit_code();
  if (st.abort_code.load()) return st.abort_code.load();
  if (exit_code != kExitOk) return exit_code;
  if (st.unreachable.load()) {
    diag::error(
        "no node of the cluster could be reached for %s (--timeout); rerun with the same %s once it is "
        "back (writes are idempotent)",
        o.timeout.c_str(), o.from_kafka.empty() ? "input" : "group: it resumes at the first record not stored");
    return kExitUnavailable;
  }
  if (st.temp_failure.load()) {
    diag::error(o.from_kafka.empty()
                    ? "some writes ran out of retries; rerun with the same input (writes are idempotent)"
                    : "some writes ran out of retries; rerun with the same group: it resumes at the first "
                      "record not stored (writes are idempotent)");
    return kExitTempFail;
  }
  return rej.finish_code();
}

}  // namespace airstream::cqlwrite
