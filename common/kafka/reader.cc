// KafkaReader (see the header): the poller and preparer threads and the queues
// between them and the sink's thread. Each queue is taken whole (one lock per batch,
// not per record); the sink's thread checks, per record, that no revocation of its
// partition came after it was polled (an atomic epoch makes that check lock-free
// until a revocation happens). The end of the input and the flush requests travel
// down the queues as markers, behind the records polled before them.
#include "common/kafka/reader.h"

#include "common/json/json.h"
#include "common/signals.h"

namespace airstream {
namespace {

// A waiting thread is woken by the first record queued, then waits at most
// kBatchWait more until kWakeBatch are (or a marker is): about one wake-up per batch,
// not per record. (It used to sleep until kWakeBatch were queued, or its 100 ms
// timeout: when the producer stopped short of a batch, waiting for a fetch or for
// room in the queues, the records in hand waited too, and the stages idled in turn;
// bench/direct.sh's direct cqlwrite moved about 8% more records/s once joined.)
constexpr size_t kWakeBatch = 64;
constexpr std::chrono::milliseconds kBatchWait{1};

}  // namespace

template <class T>
void KafkaReader::Queue<T>::push(T item, bool wake_now) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
    urgent_ = urgent_ || wake_now;
    wake = waiting_ && (urgent_ || items_.size() >= kWakeBatch || items_.size() == 1);
  }
  if (wake) cv_.notify_one();
}

template <class T>
void KafkaReader::Queue<T>::take(std::vector<T>& out, std::chrono::milliseconds timeout) {
  out.clear();
  std::unique_lock<std::mutex> lock(mu_);
  if (items_.empty() && !quit_) {
    waiting_ = true;
    cv_.wait_for(lock, timeout, [&] { return quit_ || urgent_ || !items_.empty(); });
    if (!quit_ && !urgent_ && !items_.empty())
      cv_.wait_for(lock, kBatchWait, [&] { return quit_ || urgent_ || items_.size() >= kWakeBatch; });
    waiting_ = false;
  }
  urgent_ = false;
  out.swap(items_);
}

template <class T>
void KafkaReader::Queue<T>::quit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
}

KafkaReader::KafkaReader(KafkaSource& src) : src_(src) {}

KafkaReader::~KafkaReader() {
  stop();
}

std::string KafkaReader::reject_context(const std::string& topic, int32_t partition) {
  return "\"topic\":" + json_string(topic) + ",\"partition\":" + std::to_string(partition);
}

std::string KafkaReader::reject_context(uint64_t tag) {
  return reject_context(topic(tag), partition(tag));
}

void KafkaReader::fill(ReadItem& item, std::string_view text) {
  item.text.reserve(text.size() + kJsonPadding);
  item.text.assign(text);
}

const std::string& KafkaReader::topic(uint64_t tag) {
  std::lock_guard<std::mutex> lock(topics_mu_);
  return topics_[static_cast<size_t>(tag >> 32)];
}

uint64_t KafkaReader::tag_of(const std::string& topic, int32_t partition) {
  std::lock_guard<std::mutex> lock(topics_mu_);
  size_t i = 0;
  while (i < topics_.size() && topics_[i] != topic) i++;
  if (i == topics_.size()) topics_.push_back(topic);
  return (static_cast<uint64_t>(i) << 32) | static_cast<uint32_t>(partition);
}

void KafkaReader::start(Prepare prepare, Options options) {
  prepare_ = std::move(prepare);
  opt_ = std::move(options);
  if (opt_.soft_limit == 0) opt_.soft_limit = 1;
  // Both hooks run on the poller thread, inside the source's next().
  src_.set_flush_hook([this] { polled_.push(Polled{Polled::kFlush, {}, {}, 0}, true); });
  src_.set_revoked_hook([this](const std::string& topic, int32_t partition) {
    uint64_t tag = tag_of(topic, partition);
    std::lock_guard<std::mutex> lock(mu_);
    revoked_at_[tag] = ++epoch_;
  });
  poller_ = std::thread([this] { poll_loop(); });
  preparer_ = std::thread([this] { prepare_loop(); });
}

void KafkaReader::stop() {
  if (!poller_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    quit_ = true;
  }
  space_cv_.notify_all();
  polled_.quit();
  prepared_.quit();
  poller_.join();
  preparer_.join();
  src_.set_flush_hook(nullptr);
  src_.set_revoked_hook(nullptr);
  local_.clear();
  local_pos_ = 0;
}

void KafkaReader::released(size_t n) {
  size_t before = outstanding_.fetch_sub(n);
  if (before >= opt_.soft_limit && before - n < opt_.soft_limit) {
    std::lock_guard<std::mutex> lock(mu_);  // the poller waits for this, or sees it
    space_cv_.notify_one();
  }
}

void KafkaReader::poll_loop() {
  block_signals_in_thread();
  for (;;) {
    {
      // Backpressure: no polling while the sink is this far behind (at most a second
      // at a time, so that rebalances are served; the source itself pauses fetching
      // at max_pending).
      std::unique_lock<std::mutex> lock(mu_);
      if (!quit_ && outstanding_.load() >= opt_.soft_limit)
        space_cv_.wait_for(lock, std::chrono::seconds(1),
                           [&] { return quit_ || outstanding_.load() < opt_.soft_limit; });
      if (quit_) return;
    }
    if (opt_.committed != nullptr) opt_.committed->store(src_.committed_records(), std::memory_order_relaxed);
    if (opt_.pauses != nullptr) opt_.pauses->store(src_.pauses(), std::memory_order_relaxed);
    // The value goes straight into the record queued for the preparer (one copy).
    Polled out;
    auto next = src_.next(out.rec, std::chrono::milliseconds(100), &out.value);
    if (opt_.warn) {
      if (std::string w = src_.take_warning(); !w.empty()) opt_.warn(w);
    }
    if (next == KafkaSource::Next::kIdle) {
      // Input went idle (or the end waits for acknowledgements): the sink sends what
      // it buffered. A short pause: the source may return idle at once.
      polled_.push(Polled{Polled::kFlush, {}, {}, 0}, true);
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait_for(lock, std::chrono::milliseconds(2), [&] { return quit_; });
      continue;
    }
    if (next != KafkaSource::Next::kRecord) {
      if (next == KafkaSource::Next::kError) status_ = src_.status();
      done_how_ = next == KafkaSource::Next::kEnd ? Next::kEnd : Next::kError;
      polled_.push(Polled{Polled::kDone, {}, {}, 0}, true);
      return;
    }
    out.epoch = epoch_.load();
    outstanding_.fetch_add(1);
    polled_.push(std::move(out), false);
  }
}

void KafkaReader::prepare_loop() {
  block_signals_in_thread();
  std::vector<Polled> batch;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (quit_) return;
    }
    polled_.take(batch, std::chrono::milliseconds(100));
    for (auto& p : batch) {
      if (p.kind != Polled::kRecord) {
        prepared_.push(Prepared{p.kind == Polled::kFlush ? Prepared::kFlush : Prepared::kDone, {}}, true);
        if (p.kind == Polled::kDone) return;
        continue;
      }
      p.rec.value = std::string_view(p.value.data(), p.value.size() - kJsonPadding);
      Prepared out;
      if (!prepare_(p.rec, out.item)) {
        released(1);
        continue;
      }
      out.item.seq = p.rec.seq;
      out.item.offset = static_cast<uint64_t>(p.rec.offset);
      out.item.tag = tag_of(p.rec.topic, p.rec.partition);
      out.item.epoch = p.epoch;
      prepared_.push(std::move(out), false);
    }
  }
}

KafkaReader::Next KafkaReader::next(ReadItem& out, std::chrono::milliseconds timeout) {
  for (;;) {
    while (local_pos_ < local_.size()) {
      Prepared& p = local_[local_pos_++];
      if (p.kind == Prepared::kFlush) return Next::kIdle;
      if (p.kind == Prepared::kDone) {
        done_ = true;
        return done_how_;
      }
      released(1);
      ReadItem& item = p.item;
      if (item.epoch != epoch_.load()) {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = revoked_at_.find(item.tag);
        if (it != revoked_at_.end() && it->second > item.epoch) continue;  // its partition was let go
      }
      out = std::move(item);
      return Next::kItem;
    }
    if (done_) return done_how_;
    local_pos_ = 0;
    prepared_.take(local_, timeout);
    if (local_.empty()) return Next::kIdle;
  }
}

}  // namespace airstream
