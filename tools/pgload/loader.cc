// Batch loading with COPY (PostgreSQL docs: "COPY", and libpq 34.10 "Functions
// Associated with the COPY Command"). One batch = BEGIN; COPY ... FROM STDIN (one per
// run of rows with the same signature: column list and format, text or binary; a
// binary COPY's data starts with the file header and ends with the trailer);
// [upsert: INSERT INTO t SELECT DISTINCT ON (key) ... FROM staging ON CONFLICT (key)
// DO UPDATE/NOTHING]; COMMIT. The staging table is temporary and ON COMMIT DELETE
// ROWS, so it is empty at the start of every transaction; its __pgload_ord column (a
// bigserial filled in COPY order) lets the last occurrence of a key within a batch
// win, as a re-run of the same input would.
#include "loader.h"

#include "copy_binary.h"
#include "pg_conn.h"
#include "table.h"

namespace airstream::pgload {
namespace {
constexpr const char* kStage = "pg_temp.pgload_stage";
// Attempts at a range that deadlocked with another job's transaction (the server
// picks one victim, so the next attempt normally goes through).
constexpr int kConflictRetries = 5;
}  // namespace

Loader::Loader(PgConn& conn, LoaderOptions options, LoaderCallbacks callbacks)
    : conn_(conn), opt_(std::move(options)), cb_(std::move(callbacks)), batch_share_(opt_.first_batch_share) {}

Status Loader::prepare() {
  if (!opt_.upsert) return Status::Ok();
  if (opt_.keys.empty()) return Status(kExitUsage, "upsert mode needs --key");
  Status s = conn_.exec(std::string("CREATE TEMP TABLE IF NOT EXISTS pgload_stage (LIKE ") + opt_.table +
                        " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
  if (s.ok()) s = conn_.exec(std::string("ALTER TABLE ") + kStage + " ADD COLUMN IF NOT EXISTS __pgload_ord bigserial");
  if (!s.ok()) return s;
  std::string cols = column_list(opt_.all_columns);
  std::string keys = column_list(opt_.keys);
  upsert_sql_ = "INSERT INTO " + opt_.table + " (" + cols + ") SELECT DISTINCT ON (" + keys + ") " + cols + " FROM " +
                kStage + " ORDER BY " + keys + ", __pgload_ord " + (opt_.ignore_conflicts ? "ASC" : "DESC") +
                " ON CONFLICT (" + keys + ") DO ";
  std::string sets;
  for (const auto& c : opt_.all_columns) {
    bool is_key = false;
    for (const auto& k : opt_.keys) is_key = is_key || k == c;
    if (is_key) continue;
    if (!sets.empty()) sets += ", ";
    sets += quote_ident(c) + " = EXCLUDED." + quote_ident(c);
  }
  upsert_sql_ += opt_.ignore_conflicts || sets.empty() ? "NOTHING" : "UPDATE SET " + sets;
  return Status::Ok();
}

const std::string& Loader::copy_sql(uint64_t signature) {
  auto it = copy_sql_.find(signature);
  if (it != copy_sql_.end()) return it->second;
  std::string target = opt_.upsert ? kStage : opt_.table;
  std::string sql = "COPY " + target + " (" + column_list(cb_.columns_for(signature & ~kBinaryRow)) + ") FROM STDIN";
  if (signature & kBinaryRow) sql += " (FORMAT binary)";
  return copy_sql_.emplace(signature, std::move(sql)).first->second;
}

Status Loader::copy_begin(uint64_t signature) {
  Status s = conn_.copy_begin(copy_sql(signature));
  if (s.ok() && (signature & kBinaryRow)) s = conn_.copy_put(kCopyBinaryHeader);
  return s;
}

Status Loader::copy_end(uint64_t signature, Status s) {
  if (s.ok() && (signature & kBinaryRow)) s = conn_.copy_put(kCopyBinaryTrailer);
  Status e = conn_.copy_end();
  return s.ok() ? e : s;
}

Status Loader::put_rows(size_t lo, size_t hi) {
  const char* run = nullptr;
  size_t len = 0;
  for (size_t i = lo; i < hi; i++) {
    if (rows_[i].skipped) continue;
    std::string_view d = data_of(rows_[i]);
    if (run != nullptr && run + len == d.data()) {
      len += d.size();
      continue;
    }
    if (run != nullptr)
      if (Status s = conn_.copy_put(std::string_view(run, len)); !s.ok()) return s;
    run = d.data();
    len = d.size();
  }
  return run == nullptr ? Status::Ok() : conn_.copy_put(std::string_view(run, len));
}

Status Loader::send_pending(size_t upto) {
  if (upto <= sent_) return Status::Ok();
  Status s = put_rows(sent_, upto);
  sent_ = upto;
  unsent_ = 0;
  return s;
}

Status Loader::begin_stream(uint64_t signature) {
  if (!in_tx_) {
    if (Status s = conn_.exec("BEGIN"); !s.ok()) return s;
    in_tx_ = true;
  }
  if (in_copy_ && copy_signature_ != signature) {
    Status sent = send_pending(rows_.size() - 1);
    in_copy_ = false;
    if (Status s = copy_end(copy_signature_, sent); !s.ok()) return s;
  }
  if (!in_copy_) {
    sent_ = rows_.size() - 1;
    unsent_ = rows_.back().span.data_len;
    if (Status s = copy_begin(signature); !s.ok()) return s;
    in_copy_ = true;
    copy_signature_ = signature;
  }
  return Status::Ok();
}

Status Loader::add(const RowMeta& meta, const RowBlockPtr& block, const RowSpan& span, uint64_t signature) {
  if (blocks_.empty() || blocks_.back() != block) blocks_.push_back(block);
  Row r;
  r.meta = meta;
  r.span = span;
  r.signature = signature;
  r.block = static_cast<uint32_t>(blocks_.size() - 1);
  if (rows_.empty()) batch_started_ = std::chrono::steady_clock::now();
  rows_.push_back(r);
  bytes_ += span.raw_len + span.data_len;
  unsent_ += span.data_len;
  data_rows_++;
  if (stream_error_.ok()) {
    Status s = begin_stream(signature);
    if (s.ok() && unsent_ >= opt_.send_chunk) s = send_pending(rows_.size());
    if (!s.ok()) {
      if (s.exit_code() != kExitRejected && !conflict(s)) return s;
      stream_error_ = s;  // the transaction is aborted; flush() isolates the bad rows
      in_copy_ = false;
    }
  }
  if (rows_.size() >= opt_.batch_rows * batch_share_ || bytes_ >= opt_.batch_bytes * batch_share_) return flush();
  return Status::Ok();
}

Status Loader::add_skipped(const RowMeta& meta) {
  Row r;
  r.meta = meta;
  r.skipped = true;
  if (rows_.empty()) batch_started_ = std::chrono::steady_clock::now();
  rows_.push_back(r);
  if (rows_.size() >= opt_.batch_rows) return flush();
  return Status::Ok();
}

Status Loader::finish_transaction() {
  if (!in_tx_) return Status::Ok();
  Status s = send_pending(rows_.size());
  if (in_copy_) {
    in_copy_ = false;
    s = copy_end(copy_signature_, s);
  }
  if (s.ok() && opt_.upsert) s = conn_.exec(upsert_sql_);
  if (s.ok()) {
    s = conn_.exec("COMMIT");
    in_tx_ = false;
  }
  return s;
}

void Loader::abandon() {
  if (!conn_.connected()) return;
  if (in_copy_) conn_.copy_abort();
  in_copy_ = false;
  if (in_tx_) (void)conn_.exec("ROLLBACK");
  in_tx_ = false;
}

Status Loader::run_range(size_t lo, size_t hi) {
  bool any = false;
  for (size_t i = lo; i < hi && !any; i++) any = !rows_[i].skipped;
  if (!any) return Status::Ok();
  Status s = conn_.exec("BEGIN");
  size_t i = lo;
  while (s.ok() && i < hi) {
    if (rows_[i].skipped) {
      i++;
      continue;
    }
    size_t j = i + 1;
    uint64_t sig = rows_[i].signature;
    while (j < hi && (rows_[j].skipped || rows_[j].signature == sig)) j++;
    s = copy_begin(sig);
    if (!s.ok()) break;
    s = copy_end(sig, put_rows(i, j));
    i = j;
  }
  if (s.ok() && opt_.upsert) s = conn_.exec(upsert_sql_);
  if (s.ok()) s = conn_.exec("COMMIT");
  if (!s.ok() && conn_.connected()) (void)conn_.exec("ROLLBACK");
  return s;
}

bool Loader::conflict(const Status& s) const {
  return !s.ok() && s.exit_code() == kExitTempFail && conn_.connected() && conn_.conflicted();
}

void Loader::count_committed(size_t lo, size_t hi) {
  uint64_t n = 0;
  for (size_t i = lo; i < hi; i++) n += rows_[i].skipped ? 0 : 1;
  batch_committed_ += n;
  committed_ += n;  // counted at once: a later failure must not hide these rows
}

Status Loader::resolve(size_t lo, size_t hi, Status failure) {
  for (int attempt = 0; conflict(failure) && attempt < kConflictRetries; attempt++) {
    failure = run_range(lo, hi);
    if (failure.ok()) return count_committed(lo, hi), Status::Ok();
  }
  if (failure.exit_code() != kExitRejected) return failure;
  size_t n = 0, only = lo;
  for (size_t i = lo; i < hi; i++)
    if (!rows_[i].skipped) n++, only = i;
  if (n == 0) return Status::Ok();
  if (n == 1) {
    const Row& r = rows_[only];
    rejected_++;
    return cb_.on_reject(r.meta, raw_of(r), failure.message());
  }
  size_t mid = lo + (hi - lo) / 2;
  for (auto [a, b] : {std::pair{lo, mid}, std::pair{mid, hi}}) {
    Status s = run_range(a, b);
    if (s.ok()) {
      count_committed(a, b);
      continue;
    }
    if (s.exit_code() != kExitRejected && !conflict(s)) return s;
    if (Status r = resolve(a, b, s); !r.ok()) return r;
  }
  return Status::Ok();
}

Status Loader::flush() {
  if (rows_.empty()) return Status::Ok();
  Status s = stream_error_;
  if (s.ok()) s = finish_transaction();
  if (s.ok()) {
    batch_committed_ = data_rows_;
    committed_ += data_rows_;
  } else {
    if (s.exit_code() != kExitRejected && !conflict(s)) return s;
    abandon();
    if (Status r = resolve(0, rows_.size(), s); !r.ok()) return r;
  }
  if (data_rows_ > 0) batches_++;
  settle();
  return Status::Ok();
}

void Loader::settle() {
  if (cb_.on_batch_done) {
    std::vector<RowMeta> metas;
    metas.reserve(rows_.size());
    for (const auto& r : rows_) metas.push_back(r.meta);
    cb_.on_batch_done(metas, batch_committed_);
  }
  rows_.clear();
  blocks_.clear();
  bytes_ = 0;
  data_rows_ = 0;
  sent_ = 0;
  unsent_ = 0;
  stream_error_ = Status::Ok();
  batch_committed_ = 0;
  batch_share_ = 1.0;
  in_tx_ = in_copy_ = false;
}

}  // namespace airstream::pgload
