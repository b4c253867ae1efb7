// Loader: batches of COPY rows into one table, each batch its own transaction.
// Rows are streamed to the server while the batch fills (COPY runs concurrently with
// the caller's parsing) and kept until the batch commits. If the server refuses the
// batch because of some row's data, the batch is bisected: halves are retried in
// their own transactions until each bad row is alone, rejected with the server's
// message, and every other row is committed. Append mode COPYs into the table; upsert
// mode COPYs into a temporary staging table and runs INSERT ... SELECT ... ON CONFLICT.
// Not tied to NDJSON input: rows carry a caller tag, and a callback reports when every
// row of a batch is settled (committed or rejected), so a Kafka consumer can commit
// its offsets only after the rows are stored.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace airstream::pgload {

class PgConn;

struct RowMeta {
  uint64_t line = 0;    // for reject messages
  uint64_t offset = 0;  // byte offset of the record in its input
  uint64_t tag = 0;     // caller's identifier (e.g. a Kafka offset)
};

// Rows as the caller encoded them, in one block: the records as read (for reject
// messages) and their COPY rows, back to back. A batch keeps the blocks its rows are
// in until it is settled, instead of copying the rows, so a block may be shared by two
// batches (and jobs' queues).
struct RowBlock {
  std::string raw;
  std::string data;
};
using RowBlockPtr = std::shared_ptr<const RowBlock>;

// Where one row is in its block.
struct RowSpan {
  size_t raw_off = 0, raw_len = 0;
  size_t data_off = 0, data_len = 0;
};

struct LoaderOptions {
  std::string table;                     // quoted, qualified name
  std::vector<std::string> all_columns;  // every column written in upsert mode (unquoted)
  bool upsert = false;
  bool ignore_conflicts = false;  // upsert: DO NOTHING instead of DO UPDATE
  std::vector<std::string> keys;  // upsert conflict target (unquoted)
  size_t batch_rows = 50000;
  size_t batch_bytes = 16u << 20;
  // The first batch is this share of the size: jobs given shares 1/n, 2/n, ... then
  // commit at different times instead of all waiting for their COMMITs at once.
  double first_batch_share = 1.0;
  size_t send_chunk = 64u << 10;  // bytes handed to libpq at a time
};

struct LoaderCallbacks {
  // A row the server refused even alone. A non-ok Status stops the load with it.
  std::function<Status(const RowMeta&, std::string_view raw, std::string_view reason)> on_reject;
  // Every row added since the previous call is settled, in order of addition
  // (skipped rows included); committed: rows of them now in the table.
  std::function<void(const std::vector<RowMeta>& rows, uint64_t committed)> on_batch_done;
  // COPY column list (unquoted names) for a row signature.
  std::function<std::vector<std::string>(uint64_t signature)> columns_for;
};

class Loader {
 public:
  Loader(PgConn& conn, LoaderOptions options, LoaderCallbacks callbacks);

  // Creates the staging table in upsert mode.
  Status prepare();

  // Adds one COPY row (a text line ending in '\n', or a binary tuple when signature has
  // kBinaryRow) and its record, both at span in block. May commit a batch. A non-ok
  // Status is fatal (connection lost: exit code 75).
  Status add(const RowMeta& meta, const RowBlockPtr& block, const RowSpan& span, uint64_t signature);
  // A record refused before it got here (client-side conversion): kept in order for
  // on_batch_done only.
  Status add_skipped(const RowMeta& meta);
  // Commits the current batch (bisecting if needed).
  Status flush();
  bool empty() const { return rows_.empty(); }
  // Records in the current (uncommitted) batch and the line of its first one.
  size_t pending() const { return rows_.size(); }
  // When the first row of the current batch was added.
  std::chrono::steady_clock::time_point batch_started() const { return batch_started_; }
  uint64_t pending_first_line() const { return rows_.empty() ? 0 : rows_.front().meta.line; }
  // Rolls back an open transaction (on a fatal error).
  void abandon();

  uint64_t committed_rows() const { return committed_; }
  uint64_t batches() const { return batches_; }
  uint64_t server_rejected() const { return rejected_; }

 private:
  struct Row {
    RowMeta meta;
    RowSpan span;
    uint64_t signature = 0;
    uint32_t block = 0;  // in blocks_
    bool skipped = false;
  };
  std::string_view data_of(const Row& r) const {
    return std::string_view(blocks_[r.block]->data).substr(r.span.data_off, r.span.data_len);
  }
  std::string_view raw_of(const Row& r) const {
    return std::string_view(blocks_[r.block]->raw).substr(r.span.raw_off, r.span.raw_len);
  }
  // Hands the COPY rows of rows [lo, hi) to libpq, runs of adjacent rows at once.
  Status put_rows(size_t lo, size_t hi);
  const std::string& copy_sql(uint64_t signature);
  // COPY for rows of this signature: starts it (with the binary header), ends it (after
  // the binary trailer, unless s, the outcome of sending the data, is an error).
  Status copy_begin(uint64_t signature);
  Status copy_end(uint64_t signature, Status s);
  Status begin_stream(uint64_t signature);
  // Hands the rows before upto that are not sent yet to libpq.
  Status send_pending(size_t upto);
  Status finish_transaction();
  // Runs rows [lo, hi) in one transaction from the stored data.
  Status run_range(size_t lo, size_t hi);
  // Settles rows [lo, hi) after failure: runs them again after a conflict with another
  // transaction, else bisects down to the rows the server refuses.
  Status resolve(size_t lo, size_t hi, Status failure);
  bool conflict(const Status& s) const;
  void count_committed(size_t lo, size_t hi);
  void settle();

  PgConn& conn_;
  LoaderOptions opt_;
  LoaderCallbacks cb_;
  std::string upsert_sql_;
  std::unordered_map<uint64_t, std::string> copy_sql_;

  std::vector<Row> rows_;
  std::vector<RowBlockPtr> blocks_;  // that rows_ are in
  size_t bytes_ = 0;                 // raw and COPY bytes of rows_
  size_t data_rows_ = 0;             // rows_ that are not skipped

  // Streaming state of the first attempt at the current batch.
  bool in_tx_ = false;
  bool in_copy_ = false;
  uint64_t copy_signature_ = 0;
  size_t sent_ = 0;      // rows_ handed to libpq
  size_t unsent_ = 0;    // COPY bytes of the rows_ after them
  Status stream_error_;  // first error while streaming (data errors wait for flush)
  uint64_t batch_committed_ = 0;
  std::chrono::steady_clock::time_point batch_started_;

  double batch_share_ = 1.0;  // of the current batch's size limits
  uint64_t committed_ = 0;
  uint64_t batches_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace airstream::pgload
