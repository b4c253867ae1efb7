// kconsume's background writer of stdout (see output_pump.h): one thread, one buffer
// at a time, written with the same Writer (partial writes and EINTR retried, EPIPE a
// broken pipe, other errors I/O errors) as the foreground path.
#include "output_pump.h"

namespace airstream::kconsume {

OutputPump::OutputPump(int fd) : out_(fd, 0) {
  thread_ = std::thread([this] { run(); });
}

OutputPump::~OutputPump() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !busy_; });
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool OutputPump::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_;
}

void OutputPump::start(std::string& buf) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    out_.buffer().swap(buf);
    buf.clear();
    busy_ = true;
  }
  cv_.notify_all();
}

void OutputPump::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !busy_; });
}

bool OutputPump::wait_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_until(lock, deadline, [this] { return !busy_; });
}

uint64_t OutputPump::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

bool OutputPump::broken_pipe() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

Status OutputPump::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void OutputPump::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return busy_ || quit_; });
    if (!busy_) return;
    lock.unlock();
    Status st = out_.flush();  // only this thread touches out_ while busy_
    lock.lock();
    if (!st.ok()) status_ = st;
    broken_ = out_.broken_pipe();
    busy_ = false;
    done_++;
    cv_.notify_all();
  }
}

}  // namespace airstream::kconsume
