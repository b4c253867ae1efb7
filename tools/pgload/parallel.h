// ParallelLoader: --jobs N. Each job is a thread with its own connection and its own
// Loader (batches, one transaction each, bisection of refused rows), so the server
// parses, indexes and writes N batches at once. The reading thread encodes records
// and hands them over in small chunks through bounded per-job queues. A row goes to
// the job chosen by its route (a hash of its key), so that every row of one key is
// loaded by the same job, in input order; rows without a key are spread chunk by
// chunk. Memory stays bounded: the queues hold a few chunks, and each job's batch is
// bounded by the Loader's batch_bytes.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "loader.h"

namespace airstream::pgload {

class PgConn;

struct ParallelOptions {
  std::string conninfo;  // for the connections of jobs 2..N
  int jobs = 1;
  int64_t batch_timeout_ms = 0;  // a job commits a batch open this long (0: only when full)
  size_t chunk_bytes = 128u << 10;
  // Chunks queued for all jobs together (at least 4 per job): enough that a job
  // waiting for its COMMIT does not stall the reading thread, and so the others.
  size_t queue_bytes = 8u << 20;
};

class ParallelLoader {
 public:
  // Rows without a key: any job (spread chunk by chunk).
  static constexpr uint64_t kAnyJob = ~uint64_t{0};

  ParallelLoader() = default;
  ~ParallelLoader();
  ParallelLoader(const ParallelLoader&) = delete;
  ParallelLoader& operator=(const ParallelLoader&) = delete;

  // Starts the jobs. Job 1 uses first (already connected); the others connect with
  // options.conninfo in their own thread (a failure surfaces through add()/finish()).
  // The callbacks are called from the jobs' threads, concurrently.
  void start(PgConn& first, ParallelOptions options, LoaderOptions loader, LoaderCallbacks callbacks);

  // Hands one encoded row to the job of route. Called by one reading thread, which
  // holds the lock of the open chunks across up to kHoldRecords calls (a lock and
  // unlock per row cost 5% of pgload's CPU: the unlock waits for the row's stores):
  // it calls release_fill() before it waits for input, so that push_partial() from
  // another thread gets the lock. A non-ok Status is the first error of a job: the
  // load must stop (call abort()).
  Status add(uint64_t route, const RowMeta& meta, std::string_view raw, std::string_view copy_line, uint64_t signature);
  // A record refused before the loader (kept in order for on_batch_done only).
  Status add_skipped(const RowMeta& meta);
  // Reading thread: lets go of the lock add() holds (a no-op if it holds none).
  void release_fill();
  // Hands the partly filled chunks over (so a slow stream reaches the jobs). From
  // another thread, or from the reading thread once it called release_fill().
  void push_partial();
  // Each job commits its open batch once it loaded what it was given, without waiting
  // for the batch timeout (the input is at its end but for rows still in the batches:
  // KafkaSource::draining()). Call after push_partial().
  void commit_open();
  static constexpr unsigned kHoldRecords = 256;
  // End of input: every job loads what it was given and commits its last batch.
  // Returns the first error of a job.
  Status finish();
  // After an error: the jobs stop, rolling back their open batches.
  void abort();
  // True once a job failed (e.g. its connection was lost), even with no row coming:
  // finish() then returns the error.
  bool failed() const { return failed_.load(); }

  uint64_t committed_rows() const;
  uint64_t batches() const;
  // After finish()/abort(): the batches that were not committed ("N records from line
  // L" each) and the records handed over that never reached a batch.
  std::vector<std::pair<size_t, uint64_t>> uncommitted_batches() const;
  uint64_t unloaded_records() const { return unloaded_.load(); }
  int jobs() const { return static_cast<int>(jobs_.size()); }

 private:
  struct Item {
    RowMeta meta;
    uint64_t signature = 0;
    size_t raw_len = 0, data_len = 0;
    bool skipped = false;
  };
  struct Chunk {
    std::vector<Item> items;
    std::shared_ptr<RowBlock> block;  // their records and COPY rows, in order
    size_t bytes() const { return block->raw.size() + block->data.size() + items.size() * sizeof(Item); }
  };
  struct Job {
    std::unique_ptr<PgConn> own;
    PgConn* conn = nullptr;
    std::unique_ptr<Loader> loader;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Chunk> queue;
    bool closed = false;
    bool commit_now = false;  // commit_open(): commit the open batch once the queue is empty
    Chunk pending;            // being filled by the reading thread (under fill_mu_)
    std::thread thread;
  };

  void run(Job& job);
  Status work(Job& job, bool& done);
  Chunk& chunk_for(uint64_t route, size_t& index);
  void hold_fill();  // reading thread: take fill_mu_ unless it holds it
  void push(size_t index);
  void set_error(const Status& s);
  Status first_error();
  void stop_all(bool abort);

  ParallelOptions opt_;
  size_t queue_chunks_ = 4;  // per job
  std::vector<std::unique_ptr<Job>> jobs_;
  std::mutex fill_mu_;      // pending chunks and rr_
  bool fill_held_ = false;  // the reading thread holds fill_mu_ (reading thread only)
  unsigned held_adds_ = 0;  // add() calls since it took fill_mu_
  size_t rr_ = 0;           // job that takes rows without a key
  // Sizes of the last full chunk's records and COPY rows (under fill_mu_).
  size_t raw_hint_ = 64u << 10, data_hint_ = 64u << 10;
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  Status error_;
  std::atomic<uint64_t> unloaded_{0};
  bool stopped_ = false;
};

}  // namespace airstream::pgload
