// pgload's driver: connect, find (or create, possibly inferring the columns from a
// sample of the input) the target table, choose the COPY format (binary when every
// column's type has a binary encoding here, see --format), then stream records
// through RecordEncoder into the ParallelLoader's jobs (--jobs connections, each with
// its own Loader; rows routed by their key). Records the encoder refuses go to the
// common Rejecter at once; rows the server refuses come back from a Loader's
// bisection. A flusher thread hands partly filled chunks to the jobs every tick, and
// each job commits a batch that has been open for --batch-timeout, so a slow stream
// is stored without waiting for a full batch, while a fast pipe still fills whole
// batches. SIGINT/SIGTERM: reading stops, every job commits its current batch, and
// the exit code is 130/143. A lost connection: the jobs' current batches are lost
// (rolled back by the server), committed batches stay, exit 75. With --from-kafka
// (kafka_input.h) the records come from a consumer group and a batch's offsets are
// acknowledged only once the batch is settled; a lost batch is never acknowledged,
// so a restart re-reads it.
#include "app.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/diag.h"
#include "common/json/ndjson_reader.h"
#include "common/signals.h"
#include "common/transform/record_transform.h"
#include "encoder.h"
#include "infer.h"
#include "kafka_input.h"
#include "loader.h"
#include "parallel.h"
#include "pg_conn.h"
#include "table.h"

namespace airstream::pgload {
namespace {

struct Buffered {
  uint64_t line = 0, offset = 0, tag = 0;
  std::string text;  // padded with kJsonPadding bytes
  std::string error;
  bool filtered = false;
};

class App {
 public:
  App(PgloadOptions& o, CommonOptions& common, std::unique_ptr<transform::RecordTransform> xform)
      : o_(o), common_(common), stats_("pgload"), xform_(std::move(xform)) {}
  int run();

 private:
  enum class Next { kRecord, kIdle, kEnd, kError };
  Next read(InputRecord& rec);
  Next read_raw(InputRecord& rec);
  Status read_status() const { return kafka_ ? kafka_->status() : reader_->status(); }
  Status setup_table();
  Status create_table(const TableName& name);
  Status build_encoder();
  Status choose_format();
  Status process(const InputRecord& rec);
  Status reject(const RowMeta& m, std::string_view text, std::string_view reason);
  Status close_kafka();
  int fail(const Status& s);
  void start_flusher();
  void stop_flusher();
  void summary(const char* how);

  PgloadOptions& o_;
  CommonOptions& common_;
  Stats stats_;
  Rejecter rej_;
  PgConn conn_;
  TableInfo table_;
  RecordEncoder encoder_;
  ParallelLoader loader_;
  std::unique_ptr<LineReader> reader_;
  std::unique_ptr<KafkaInput> kafka_;
  std::shared_ptr<PartitionMetrics> partitions_ = PartitionMetrics::create();
  std::atomic<uint64_t>* records_committed_ = nullptr;  // --from-kafka: offsets committed
  std::unique_ptr<EnvelopeInput> env_;                  // --envelope: lines are kconsume envelopes
  EnvelopeInput::Item env_item_;
  std::unique_ptr<transform::RecordTransform> xform_;  // --preset, --set, --where, ...
  std::vector<Buffered> sample_;
  std::string row_;
  std::string encode_error_;
  bool job_failed_ = false;  // process() failed because a job did (its batch is not retried)
  std::mutex mu_;            // the flusher's sleep
  std::condition_variable cv_;
  bool flusher_done_ = false;
  std::thread flusher_;
  std::atomic<uint64_t>* records_in_ = nullptr;
  std::atomic<uint64_t>* rows_committed_ = nullptr;
  std::atomic<uint64_t>* batches_ = nullptr;
  std::atomic<uint64_t>* rejected_ = nullptr;
  std::atomic<uint64_t>* filtered_ = nullptr;
};

// A record read, after the transform: its text is the transformed record; a record
// the transform rejects keeps its input text, with the reason as its error.
App::Next App::read(InputRecord& rec) {
  Next next = read_raw(rec);
  // From Kafka, the records come transformed (on the reading thread).
  if (next != Next::kRecord || !xform_ || !rec.error.empty() || kafka_) return next;
  switch (xform_->apply(rec.text)) {
    case transform::RecordTransform::Outcome::kWritten:
      rec.text = xform_->out();
      rec.valid_json = xform_->writes_valid_json();
      break;
    case transform::RecordTransform::Outcome::kFiltered:
      rec.filtered = true;
      break;
    case transform::RecordTransform::Outcome::kRejected:
      rec.error = xform_->reason();
      break;
  }
  return next;
}

App::Next App::read_raw(InputRecord& rec) {
  rec.filtered = false;
  if (kafka_) {
    switch (kafka_->next(rec)) {
      case KafkaInput::Next::kRecord:
        return Next::kRecord;
      case KafkaInput::Next::kIdle:
        return Next::kIdle;
      case KafkaInput::Next::kEnd:
        return Next::kEnd;
      case KafkaInput::Next::kError:
        return Next::kError;
    }
  }
  LineRecord lr;
  for (;;) {
    auto next = reader_->next(lr);
    if (next == LineReader::Next::kError) return Next::kError;
    if (next != LineReader::Next::kRecord) return Next::kEnd;
    rec = InputRecord{lr.line, lr.offset, 0, lr.text, lr.error, false, false};
    if (!env_ || !lr.error.empty()) {
      if (env_) rec.tag = EnvelopeInput::kNoPosition;
      return Next::kRecord;
    }
    // The envelope's value is the record; its position travels in tag and offset.
    auto kind = env_->parse(lr.text, env_item_);
    if (kind == EnvelopeInput::Kind::kDone) continue;  // a marker: acknowledged already
    rec.tag = env_item_.tag;
    if (kind == EnvelopeInput::Kind::kRecord) {
      rec.offset = static_cast<uint64_t>(env_item_.offset);
      rec.text = env_item_.payload;
    } else {
      if (kind == EnvelopeInput::Kind::kReject) rec.offset = static_cast<uint64_t>(env_item_.offset);
      rec.error = env_item_.reason;
    }
    return Next::kRecord;
  }
}

Status App::create_table(const TableName& name) {
  std::string defs = o_.schema;
  if (defs.empty()) {
    std::vector<std::pair<std::string, ColKind>> cols;
    if (o_.jsonb.empty() || !o_.map_pairs.empty()) {
      // Sample the input; the records are kept and loaded afterwards.
      SchemaInference inference(o_.map_pairs);
      InputRecord rec;
      size_t bytes = 0;
      while (sample_.size() < static_cast<size_t>(o_.infer_rows) && bytes < (64u << 20) && !stop_requested()) {
        auto next = read(rec);
        // Kafka has no end of input: sample what arrived until the topic goes idle.
        if (next == Next::kIdle && sample_.empty()) continue;
        if (next != Next::kRecord) break;
        Buffered b{rec.line, rec.offset, rec.tag, std::string(rec.text), std::string(rec.error), rec.filtered};
        b.text.append(kJsonPadding, '\0');
        bytes += b.text.size();
        if (b.error.empty() && !b.filtered) inference.observe(std::string_view(b.text).substr(0, rec.text.size()));
        sample_.push_back(std::move(b));
      }
      cols = inference.columns();
      if (!o_.jsonb.empty()) cols.resize(o_.map_pairs.size());
    }
    if (!o_.jsonb.empty()) cols.emplace_back(o_.jsonb, ColKind::kJsonb);
    if (cols.empty())
      return Status(sample_.empty() ? kExitOk : kExitDataErr,
                    sample_.empty() ? "no input records: table not created"
                                    : "no column could be inferred from the first records");
    defs = column_defs_sql(cols, o_.keys);
  }
  diag::info(1, "creating table %s (%s)", name.display().c_str(), defs.c_str());
  return conn_.exec(create_table_sql(name, defs));
}

Status App::setup_table() {
  auto name = parse_table_name(o_.table);
  if (!name) return name.status();
  auto info = load_table(conn_, *name);
  if (!info) return info.status();
  if (info->columns.empty()) {
    if (!o_.create)
      return Status(kExitConfig, "table " + name->display() + " does not exist (use --create to create it)");
    if (Status s = create_table(*name); !s.ok()) return s;
    info = load_table(conn_, *name);
    if (!info) return info.status();
    if (info->columns.empty()) return Status(kExitConfig, "table " + name->display() + " has no columns");
  }
  table_ = std::move(*info);
  return Status::Ok();
}

Status App::build_encoder() {
  auto need_column = [&](const std::string& col, const char* what) -> Status {
    const Column* c = table_.find(col);
    if (c == nullptr)
      return Status(kExitConfig,
                    std::string(what) + ": table " + table_.name.display() + " has no column \"" + col + "\"");
    if (!c->writable) return Status(kExitConfig, std::string(what) + ": column \"" + col + "\" is generated");
    return Status::Ok();
  };
  for (const auto& [col, field] : o_.map_pairs)
    if (Status s = need_column(col, "--map"); !s.ok()) return s;
  for (const auto& k : o_.keys)
    if (Status s = need_column(k, "--key"); !s.ok()) return s;
  if (!o_.jsonb.empty())
    if (Status s = need_column(o_.jsonb, "--jsonb"); !s.ok()) return s;

  // money rounds to the fraction digits of the server's lc_monetary.
  int money_scale = -1;
  for (const auto& c : table_.columns) {
    if (c.base_type != "money" || money_scale >= 0) continue;
    auto res = conn_.query("SELECT scale('0'::money::numeric)", {});
    if (res && PQntuples(res->get()) == 1) money_scale = std::atoi(PQgetvalue(res->get(), 0, 0));
  }
  std::vector<EncoderColumn> cols;
  std::vector<std::string> names;
  for (const auto& c : table_.columns) {
    if (!c.writable) continue;
    EncoderColumn e;
    e.name = c.name;
    e.kind = c.kind;
    e.bin = c.bin;
    e.has_default = c.has_default;
    if (c.kind == ColKind::kNumeric) numeric_typmod(c.base_sql, e.numeric_precision, e.numeric_scale);
    e.limits = type_limits(c.base_type, c.typmod, c.base_sql, money_scale);
    e.whole_record = c.name == o_.jsonb;
    bool mapped = false;
    for (const auto& [col, field] : o_.map_pairs) {
      if (col == c.name) e.field = field, mapped = true;
    }
    if (!mapped && !e.whole_record) {
      // A field that feeds another column through --map feeds only that one.
      for (const auto& [col, field] : o_.map_pairs) e.no_field = e.no_field || field == c.name;
    }
    names.push_back(c.name);
    cols.push_back(std::move(e));
  }
  if (Status s = encoder_.init(std::move(cols), o_.strict); !s.ok()) return s;
  if (Status s = choose_format(); !s.ok()) return s;
  // Rows of one key go to one job, in input order: the upsert key, else the primary key
  // (so that in append mode the later duplicate is the one refused, as when loading
  // sequentially).
  std::vector<std::string> keys = o_.keys;
  if (o_.mode != "upsert") {
    keys.clear();
    for (const auto& c : table_.columns)
      if (c.primary_key) keys.push_back(c.name);
  }
  std::vector<size_t> route;
  for (size_t i = 0; i < names.size(); i++)
    if (std::find(keys.begin(), keys.end(), names[i]) != keys.end()) route.push_back(i);
  if (route.size() == keys.size()) encoder_.set_route_columns(std::move(route));

  LoaderOptions lo;
  lo.table = table_.name.quoted();
  lo.all_columns = names;
  lo.upsert = o_.mode == "upsert";
  lo.ignore_conflicts = o_.on_conflict == "ignore";
  lo.keys = o_.keys;
  lo.batch_rows = static_cast<size_t>(o_.batch_rows);
  lo.batch_bytes = o_.batch_bytes_value;
  LoaderCallbacks cb;
  cb.on_reject = [this](const RowMeta& m, std::string_view raw, std::string_view reason) {
    return reject(m, raw, reason);
  };
  cb.on_batch_done = [this](const std::vector<RowMeta>& rows, uint64_t committed) {
    // Every row is committed, or rejected and reported: its offset may be committed.
    if (kafka_) kafka_->ack(rows);
    if (env_)
      for (const auto& m : rows) env_->done(m.tag, static_cast<int64_t>(m.offset));
    *rows_committed_ += committed;
    if (committed > 0) ++*batches_;
  };
  cb.columns_for = [this](uint64_t sig) { return encoder_.columns_for(sig); };
  // --batch-bytes bounds the batches of all jobs together.
  lo.batch_bytes = std::max<size_t>(lo.batch_bytes / static_cast<size_t>(o_.jobs_value), 1024);
  ParallelOptions po;
  po.conninfo = o_.conninfo;
  po.jobs = o_.jobs_value;
  po.batch_timeout_ms = o_.batch_timeout_ms;
  loader_.start(conn_, std::move(po), std::move(lo), std::move(cb));
  return Status::Ok();
}

Status App::choose_format() {
  if (o_.format == "text") return Status::Ok();
  std::vector<std::string> text_only = encoder_.text_only_columns();
  if (!text_only.empty()) {
    const Column* c = table_.find(text_only.front());
    std::string why = "column \"" + c->name + "\" is of type " + c->type_sql + ", which pgload sends only as text";
    if (o_.format == "binary") return Status(kExitConfig, "--format binary: " + why);
    diag::info(1, "COPY text format: %s", why.c_str());
    return Status::Ok();
  }
  // timestamptz values without an offset are in the session's time zone: converted
  // here only when that is UTC (else the server reads them, in text rows). Binary
  // timestamps are int64 microseconds only with integer_datetimes (PostgreSQL >= 10).
  std::string zone, integer_datetimes;
  auto res = conn_.query("SELECT current_setting('TimeZone'), current_setting('integer_datetimes')", {});
  if (res && PQntuples(res->get()) == 1) {
    zone = PQgetvalue(res->get(), 0, 0);
    integer_datetimes = PQgetvalue(res->get(), 0, 1);
  }
  if (integer_datetimes != "on") {
    if (o_.format == "binary") return Status(kExitConfig, "--format binary: the server has no integer_datetimes");
    diag::info(1, "COPY text format: the server has no integer_datetimes");
    return Status::Ok();
  }
  encoder_.set_binary(true, is_utc_zone_name(zone));
  diag::info(1, "COPY binary format (session time zone %s)", zone.c_str());
  return Status::Ok();
}

Status App::reject(const RowMeta& m, std::string_view text, std::string_view reason) {
  ++*rejected_;
  RejectInfo info;
  info.line = m.line;
  info.offset = m.offset;
  info.error = reason;
  info.record = text;
  std::string extra;
  if (kafka_) extra = kafka_->reject_context(m.tag);
  if (env_) extra = env_->context(m.tag);
  info.extra_json = extra;
  return rej_.reject(info);
}

Status App::process(const InputRecord& rec) {
  bump_own(*records_in_);
  RowMeta meta{rec.line, rec.offset, kafka_ || env_ ? rec.tag : rec.line};
  const bool positioned = kafka_ || (env_ && rec.tag != EnvelopeInput::kNoPosition);
  if (rec.filtered) {
    ++*filtered_;
    // With Kafka (or envelopes) the record is settled with its batch (offsets stay in order).
    if (!positioned) return Status::Ok();
    Status s = loader_.add_skipped(meta);
    if (!s.ok()) job_failed_ = true;
    return s;
  }
  if (rec.error.empty()) {
    row_.clear();
    uint64_t sig = 0;
    if (encoder_.encode(rec.text, row_, sig, encode_error_, rec.valid_json)) {
      uint64_t route = encoder_.routed() ? encoder_.route_hash() : ParallelLoader::kAnyJob;
      Status s = loader_.add(route, meta, rec.text, row_, sig);
      if (!s.ok()) job_failed_ = true;
      return s;
    }
  }
  Status s = reject(meta, rec.text, rec.error.empty() ? std::string_view(encode_error_) : rec.error);
  // With Kafka the reported record is settled with its batch (offsets stay in order);
  // an envelope's too, unless it has no position (never acknowledged).
  if (s.ok() && positioned) {
    s = loader_.add_skipped(meta);
    if (!s.ok()) job_failed_ = true;
  }
  return s;
}

Status App::close_kafka() {
  if (env_) {
    // Every batch is settled (or lost, and never acknowledged): the last acknowledgements.
    if (Status s = env_->finish(); !s.ok()) diag::warn("%s", s.message().c_str());
    env_.reset();
  }
  if (!kafka_) return Status::Ok();
  Status s = kafka_->close();
  records_committed_->store(kafka_->committed_records(), std::memory_order_relaxed);
  kafka_.reset();
  if (!s.ok()) diag::error("%s", s.message().c_str());
  return s;
}

void App::summary(const char* how) {
  double secs = stats_.elapsed_seconds();
  uint64_t rows = loader_.committed_rows();
  std::string filtered = xform_ ? ", " + std::to_string(filtered_->load()) + " filtered" : "";
  diag::note("%s: %llu rows committed in %llu batches, %llu rejected%s, %.0f rows/s", how,
             static_cast<unsigned long long>(rows), static_cast<unsigned long long>(loader_.batches()),
             static_cast<unsigned long long>(rejected_->load()), filtered.c_str(),
             secs > 0 ? static_cast<double>(rows) / secs : 0.0);
}

int App::fail(const Status& s) {
  diag::error("%s", s.message().c_str());
  // The jobs roll their open batches back (a no-op once they finished).
  loader_.abort();
  for (auto [n, line] : loader_.uncommitted_batches())
    diag::note("the current batch (%zu record%s from line %llu) was not committed", n, n == 1 ? "" : "s",
               static_cast<unsigned long long>(line));
  if (uint64_t n = loader_.unloaded_records(); n > 0)
    diag::note("%llu more record%s read were not loaded", static_cast<unsigned long long>(n), n == 1 ? "" : "s");
  // Commits the offsets of the batches settled before; the lost batch was never acknowledged.
  (void)close_kafka();
  summary("stopped");
  (void)stats_.finish();
  (void)rej_.flush();
  return s.exit_code();
}

void App::start_flusher() {
  if (o_.batch_timeout_ms <= 0) return;
  flusher_ = std::thread([this] {
    block_signals_in_thread();
    const auto timeout = std::chrono::milliseconds(o_.batch_timeout_ms);
    const auto tick = std::clamp(timeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
    std::unique_lock<std::mutex> lock(mu_);
    while (!flusher_done_) {
      cv_.wait_for(lock, tick);
      if (flusher_done_) continue;
      // Each job commits a batch open for the timeout; it only has to get the rows.
      lock.unlock();
      loader_.push_partial();
      lock.lock();
    }
  });
}

void App::stop_flusher() {
  loader_.release_fill();  // the flusher may wait for it
  {
    std::lock_guard<std::mutex> lock(mu_);
    flusher_done_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

int App::run() {
  records_in_ = &stats_.counter("records_in", "NDJSON records read");
  rows_committed_ = &stats_.counter("rows_committed", "Rows committed to the table");
  batches_ = &stats_.counter("batches", "Batches committed");
  rejected_ = &stats_.counter("rejected", "Records rejected (client-side or by the server)");
  filtered_ = &stats_.counter("records_filtered", "Records left out by --where");
  stats_.set_progress_counters({"records_in", "rows_committed", "rejected"});
  if (Status s = rej_.open("pgload", common_.reject); !s.ok())
    return diag::error("%s", s.message().c_str()), s.exit_code();
  if (o_.envelope) {  // first: kconsume --acks hears from us early
    env_ = std::make_unique<EnvelopeInput>();
    if (Status s = env_->open(o_, "pgload"); !s.ok()) return diag::error("%s", s.message().c_str()), s.exit_code();
  }
  if (Status s = conn_.connect(o_.conninfo); !s.ok()) return diag::error("%s", s.message().c_str()), s.exit_code();
  diag::info(1, "connected to PostgreSQL %s", conn_.server_version().c_str());
  if (!o_.from_kafka.empty()) {
    records_committed_ = &stats_.counter("records_committed", "Records whose Kafka offsets are committed");
    auto& fetch_pauses = stats_.counter("fetch_pauses", kFetchPausesHelp);
    partitions_->export_to(stats_, true);
    stats_.defer_ready();  // ready once the group assigned partitions
    kafka_ = std::make_unique<KafkaInput>();
    // The loader's hold on its open chunks goes before a wait (see ParallelLoader::add).
    kafka_->set_wait_hook([this] { loader_.release_fill(); });
    if (Status s = kafka_->open(o_, partitions_.get(), common_.reader.max_line, common_.reader.validate_utf8,
                                xform_.get(), records_committed_, &fetch_pauses);
        !s.ok())
      return diag::error("%s", s.message().c_str()), s.exit_code();
  } else {
    reader_ = std::make_unique<LineReader>(o_.inputs, common_.reader);
    reader_->set_idle_hook([this] { loader_.release_fill(); });
  }
  if (Status s = setup_table(); !s.ok()) {
    env_.reset();  // nothing stored: the channel closes without "end"
    (void)close_kafka();
    if (s.exit_code() == kExitOk) return diag::warn("%s", s.message().c_str()), kExitOk;
    return diag::error("%s", s.message().c_str()), s.exit_code();
  }
  if (Status s = build_encoder(); !s.ok()) {
    env_.reset();
    (void)close_kafka();
    return diag::error("%s", s.message().c_str()), s.exit_code();
  }
  diag::info(1, "loading into %s (%zu columns, mode %s)", table_.name.display().c_str(), encoder_.columns().size(),
             o_.mode.c_str());
  if (Status s = stats_.start(common_.stats_options); !s.ok()) {
    (void)close_kafka();
    return diag::error("%s", s.message().c_str()), s.exit_code();
  }

  Status stop;  // why the loop ended early
  for (auto& b : sample_) {
    InputRecord r{b.line,  b.offset,  b.tag, std::string_view(b.text).substr(0, b.text.size() - kJsonPadding),
                  b.error, b.filtered};
    stop = process(r);
    if (!stop.ok()) break;
  }
  sample_.clear();
  sample_.shrink_to_fit();
  start_flusher();
  InputRecord rec;
  bool input_error = false;
  while (stop.ok() && !stop_requested()) {
    auto next = read(rec);
    if (next == Next::kIdle) {  // the jobs commit a batch open for --batch-timeout
      // A job whose batch failed (the connection was lost) ends the load even while
      // the topic is idle; finish() below returns its error.
      if (loader_.failed()) break;
      // Kafka went idle, or a revocation waits for the revoked partitions' rows: the
      // jobs get the open chunks. With -e or --exit-at-group-end at the end of the
      // input, they commit their batches now: the run ends only once they are
      // committed (with --batch-timeout 0 it never did).
      loader_.release_fill();
      if (kafka_) {
        loader_.push_partial();
        if (kafka_->draining()) loader_.commit_open();
      }
      continue;
    }
    if (next != Next::kRecord) {
      input_error = next == Next::kError;
      break;
    }
    stop = process(rec);
  }
  stop_flusher();
  if (job_failed_) return fail(stop);
  // Commit what was read (also after a signal or a reject limit).
  if (Status s = loader_.finish(); !s.ok()) return fail(s);
  if (!stop.ok()) return fail(stop);
  if (input_error) return fail(read_status());
  // Final commit of the offsets: every batch is settled.
  if (Status s = close_kafka(); !s.ok()) return (void)stats_.finish(), s.exit_code();
  (void)stats_.finish();
  if (Status s = rej_.flush(); !s.ok()) return diag::error("%s", s.message().c_str()), s.exit_code();
  if ((reader_ && reader_->stopped()) || stop_requested()) {
    summary("interrupted");
    return stop_exit_code() != 0 ? stop_exit_code() : kExitSigterm;
  }
  summary("done");
  return rej_.finish_code();
}

}  // namespace

int run_pgload(PgloadOptions& options, CommonOptions& common) {
  if (wants_property_list(options.kafka)) {
    std::string text = kafka_properties_text();
    fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (Status s = validate_options(options); !s.ok()) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  if (wants_conf_dump(options.kafka)) return dump_kafka_conf(options);
  // A bad transform is a usage error, before any connection.
  auto xform = transform::RecordTransform::make_if_requested(options.transform);
  if (!xform.ok()) {
    diag::error("%s", xform.status().message().c_str());
    return xform.status().exit_code();
  }
  App app(options, common, std::move(*xform));
  return app.run();
}

}  // namespace airstream::pgload
