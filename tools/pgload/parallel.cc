// The jobs of --jobs N (see parallel.h). Each job thread takes chunks from its bounded
// queue and feeds their rows to its Loader, which streams them to its connection and
// commits a batch when full; when the queue stays empty the job commits a batch that
// has been open for the batch timeout (at once after commit_open()), and at the end of
// the input its last batch.
// The first error of any job (lost connection, a fatal server error, a reject limit)
// stops every job: each rolls back its open batch, and the reading thread sees the
// error at its next row. Nothing here prints; the caller reports.
#include "parallel.h"

#include <algorithm>
#include <chrono>

#include "common/signals.h"
#include "pg_conn.h"

namespace airstream::pgload {

ParallelLoader::~ParallelLoader() {
  abort();
}

void ParallelLoader::start(PgConn& first, ParallelOptions options, LoaderOptions loader, LoaderCallbacks callbacks) {
  opt_ = std::move(options);
  if (opt_.jobs < 1) opt_.jobs = 1;
  queue_chunks_ = std::max<size_t>(4, opt_.queue_bytes / std::max<size_t>(opt_.chunk_bytes, 1) / opt_.jobs);
  for (int i = 0; i < opt_.jobs; i++) {
    auto job = std::make_unique<Job>();
    if (i == 0) {
      job->conn = &first;
    } else {
      job->own = std::make_unique<PgConn>();
      job->conn = job->own.get();
    }
    // Staggered first batches: the jobs' COMMITs, which wait for the disk, alternate.
    loader.first_batch_share = static_cast<double>(i + 1) / opt_.jobs;
    job->loader = std::make_unique<Loader>(*job->conn, loader, callbacks);
    jobs_.push_back(std::move(job));
  }
  for (auto& job : jobs_) job->thread = std::thread([this, j = job.get()] { run(*j); });
}

void ParallelLoader::run(Job& job) {
  block_signals_in_thread();
  Status s;
  if (job.own) s = job.own->connect(opt_.conninfo);
  if (s.ok()) s = job.loader->prepare();
  bool done = false;
  while (s.ok() && !done) s = work(job, done);
  if (!s.ok()) set_error(s);
  if (failed_) job.loader->abandon();
  std::lock_guard<std::mutex> lock(job.mu);
  for (const auto& c : job.queue) unloaded_ += c.items.size();
  job.queue.clear();
  job.closed = true;
  job.cv.notify_all();
}

Status ParallelLoader::work(Job& job, bool& done) {
  Chunk chunk;
  {
    const auto timeout = std::chrono::milliseconds(opt_.batch_timeout_ms);
    std::unique_lock<std::mutex> lock(job.mu);
    for (;;) {
      if (failed_) {
        done = true;
        return Status::Ok();
      }
      if (!job.queue.empty()) {
        chunk = std::move(job.queue.front());
        job.queue.pop_front();
        break;
      }
      if (job.closed) {
        done = true;
        break;
      }
      if (job.commit_now) {
        job.commit_now = false;
        if (!job.loader->empty()) break;
      }
      if (opt_.batch_timeout_ms > 0 && !job.loader->empty()) {
        auto due = job.loader->batch_started() + timeout;
        if (std::chrono::steady_clock::now() >= due) break;
        job.cv.wait_until(lock, due);
      } else {
        job.cv.wait(lock);
      }
    }
  }
  // No chunk: the end of the input, or the open batch is due.
  if (chunk.items.empty()) return job.loader->flush();
  job.cv.notify_all();  // room in the queue for the reading thread
  // The loader keeps the block while a batch holds rows of it: no copy.
  RowBlockPtr block = std::move(chunk.block);
  RowSpan span;
  for (size_t i = 0; i < chunk.items.size(); i++) {
    const Item& it = chunk.items[i];
    span.raw_len = it.raw_len;
    span.data_len = it.data_len;
    Status s = it.skipped ? job.loader->add_skipped(it.meta) : job.loader->add(it.meta, block, span, it.signature);
    span.raw_off += it.raw_len;
    span.data_off += it.data_len;
    if (!s.ok()) {
      unloaded_ += chunk.items.size() - i - 1;
      return s;
    }
  }
  return Status::Ok();
}

void ParallelLoader::set_error(const Status& s) {
  {
    std::lock_guard<std::mutex> lock(error_mu_);
    if (error_.ok()) error_ = s;
  }
  failed_ = true;
  for (auto& job : jobs_) {
    std::lock_guard<std::mutex> lock(job->mu);
    job->cv.notify_all();
  }
}

Status ParallelLoader::first_error() {
  std::lock_guard<std::mutex> lock(error_mu_);
  return error_;
}

ParallelLoader::Chunk& ParallelLoader::chunk_for(uint64_t route, size_t& index) {
  index = route == kAnyJob ? rr_ : static_cast<size_t>(route % jobs_.size());
  Chunk& c = jobs_[index]->pending;
  if (!c.block) {
    // Full size at once: growing a chunk row by row would copy it over and over.
    // Room for as much as the previous chunk held, and some: a reserve much too large
    // would stay allocated as long as a batch holds the block.
    c.block = std::make_shared<RowBlock>();
    c.block->raw.reserve(raw_hint_ + raw_hint_ / 8 + 4096);
    c.block->data.reserve(data_hint_ + data_hint_ / 8 + 4096);
  }
  return c;
}

void ParallelLoader::push(size_t index) {
  Job& job = *jobs_[index];
  if (job.pending.items.empty()) return;
  Chunk chunk = std::move(job.pending);
  job.pending = Chunk{};
  if (chunk.bytes() >= opt_.chunk_bytes) {
    raw_hint_ = chunk.block->raw.size();
    data_hint_ = chunk.block->data.size();
  }
  if (index == rr_) rr_ = (rr_ + 1) % jobs_.size();
  std::unique_lock<std::mutex> lock(job.mu);
  job.cv.wait(lock, [&] { return job.queue.size() < queue_chunks_ || failed_ || job.closed; });
  if (failed_ || job.closed) {
    unloaded_ += chunk.items.size();
    return;
  }
  job.queue.push_back(std::move(chunk));
  lock.unlock();
  job.cv.notify_all();
}

Status ParallelLoader::add(uint64_t route, const RowMeta& meta, std::string_view raw, std::string_view copy_line,
                           uint64_t signature) {
  if (failed_) return first_error();
  hold_fill();
  size_t index = 0;
  Chunk& c = chunk_for(route, index);
  c.items.push_back(Item{meta, signature, raw.size(), copy_line.size(), false});
  c.block->raw.append(raw);
  c.block->data.append(copy_line);
  if (c.bytes() >= opt_.chunk_bytes) push(index);
  if (++held_adds_ >= kHoldRecords) release_fill();
  return Status::Ok();
}

Status ParallelLoader::add_skipped(const RowMeta& meta) {
  if (failed_) return first_error();
  hold_fill();
  size_t index = 0;
  Chunk& c = chunk_for(kAnyJob, index);
  c.items.push_back(Item{meta, 0, 0, 0, true});
  if (c.bytes() >= opt_.chunk_bytes) push(index);
  if (++held_adds_ >= kHoldRecords) release_fill();
  return Status::Ok();
}

void ParallelLoader::hold_fill() {
  if (fill_held_) return;
  fill_mu_.lock();
  fill_held_ = true;
  held_adds_ = 0;
}

void ParallelLoader::release_fill() {
  if (!fill_held_) return;
  fill_held_ = false;
  fill_mu_.unlock();
}

void ParallelLoader::push_partial() {
  std::lock_guard<std::mutex> lock(fill_mu_);
  for (size_t i = 0; i < jobs_.size(); i++) push(i);
}

void ParallelLoader::commit_open() {
  for (auto& job : jobs_) {
    {
      std::lock_guard<std::mutex> lock(job->mu);
      job->commit_now = true;
    }
    job->cv.notify_all();
  }
}

void ParallelLoader::stop_all(bool abort) {
  if (stopped_) return;
  stopped_ = true;
  if (abort) set_error(Status(kExitSoftware, "load aborted"));
  for (auto& job : jobs_) {
    {
      std::lock_guard<std::mutex> lock(job->mu);
      job->closed = true;
    }
    job->cv.notify_all();
  }
  for (auto& job : jobs_)
    if (job->thread.joinable()) job->thread.join();
  for (auto& job : jobs_) unloaded_ += job->pending.items.size();
}

Status ParallelLoader::finish() {
  release_fill();
  if (!stopped_) push_partial();
  stop_all(false);
  return first_error();
}

void ParallelLoader::abort() {
  release_fill();
  stop_all(true);
}

uint64_t ParallelLoader::committed_rows() const {
  uint64_t n = 0;
  for (const auto& job : jobs_) n += job->loader->committed_rows();
  return n;
}

uint64_t ParallelLoader::batches() const {
  uint64_t n = 0;
  for (const auto& job : jobs_) n += job->loader->batches();
  return n;
}

std::vector<std::pair<size_t, uint64_t>> ParallelLoader::uncommitted_batches() const {
  std::vector<std::pair<size_t, uint64_t>> out;
  for (const auto& job : jobs_)
    if (job->loader->pending() > 0) out.emplace_back(job->loader->pending(), job->loader->pending_first_line());
  return out;
}

}  // namespace airstream::pgload
