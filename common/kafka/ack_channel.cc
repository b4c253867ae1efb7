// The acknowledgement channel of a pipe (see ack_channel.h for the protocol). The
// reader opens its FIFO O_RDONLY|O_NONBLOCK, which succeeds at once; read(2) then
// returns 0 both before a writer opened and after the last one closed, so the state
// machine tells them apart: 0 before the hello line is "not there yet", 0 after it
// without "end" is "the sender died". The sender's thread retries an
// O_WRONLY|O_NONBLOCK open (ENXIO while no reader is there) every interval, and
// writes without blocking: acknowledgements are cumulative, so when the pipe is full
// it keeps only the latest offset per partition and tries again later. A reader that
// went away (EPIPE; SIGPIPE is ignored by every tool) is remembered, not fatal: the
// records are stored, only their commit is lost, and a restart re-reads them.
#include "common/kafka/ack_channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "common/signals.h"

namespace airstream {
namespace {

uint64_t part_key(uint32_t topic, int32_t partition) {
  return (static_cast<uint64_t>(topic) << 32) | static_cast<uint32_t>(partition);
}

template <class T>
bool parse_number(std::string_view s, T& v) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Splits off the next space-separated word of s.
std::string_view next_word(std::string_view& s) {
  size_t sp = s.find(' ');
  std::string_view w = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  return w;
}

}  // namespace

void append_ack_line(std::string& out, std::string_view topic, int32_t partition, int64_t offset) {
  char num[24];
  out.append("ack ");
  out.append(topic);
  out.push_back(' ');
  out.append(num, std::to_chars(num, num + sizeof num, partition).ptr);
  out.push_back(' ');
  out.append(num, std::to_chars(num, num + sizeof num, offset).ptr);
  out.push_back('\n');
}

std::string parse_ack_line(std::string_view line, AckLine& out) {
  if (line == "end") {
    out.kind = AckLine::kEnd;
    return "";
  }
  if (line.substr(0, kAckHello.size()) == kAckHello &&
      (line.size() == kAckHello.size() || line[kAckHello.size()] == ' ')) {
    out.kind = AckLine::kHello;
    out.topic = std::string(line.substr(std::min(line.size(), kAckHello.size() + 1)));
    return "";
  }
  std::string_view rest = line;
  if (next_word(rest) != "ack") return "not an acknowledgement line: '" + std::string(line.substr(0, 80)) + "'";
  std::string_view topic = next_word(rest), partition = next_word(rest), offset = next_word(rest);
  if (topic.empty() || !rest.empty() || !parse_number(partition, out.partition) || out.partition < 0 ||
      !parse_number(offset, out.offset) || out.offset < 0)
    return "malformed acknowledgement: '" + std::string(line.substr(0, 80)) + "' (expected ack TOPIC PARTITION OFFSET)";
  out.kind = AckLine::kAck;
  out.topic = std::string(topic);
  return "";
}

Status ensure_fifo(const std::string& path) {
  if (path.empty()) return Status(kExitUsage, "--acks: empty path");
  if (mkfifo(path.c_str(), 0600) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return Status(kExitUsage, "--acks " + path + ": " + strerror(errno));
    if (!S_ISFIFO(st.st_mode)) return Status(kExitUsage, "--acks " + path + ": exists and is not a named pipe");
    return Status::Ok();
  }
  return Status(kExitUsage, "--acks " + path + ": cannot create the named pipe: " + strerror(errno));
}

// --- reader ---

AckReader::~AckReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status AckReader::open(const std::string& path) {
  if (Status s = ensure_fifo(path); !s.ok()) return s;
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) return Status(kExitIoErr, "--acks " + path + ": " + strerror(errno));
  return Status::Ok();
}

void AckReader::take_line(std::string_view line, std::vector<AckLine>& out) {
  AckLine a;
  std::string err = parse_ack_line(line, a);
  if (!err.empty()) {
    state_ = State::kBroken;
    error_ = err;
    return;
  }
  switch (a.kind) {
    case AckLine::kHello:
      state_ = State::kConnected;
      sender_ = a.topic;
      return;
    case AckLine::kEnd:
      state_ = State::kEnded;
      return;
    case AckLine::kAck:
      if (state_ != State::kConnected) {
        state_ = State::kBroken;
        error_ = "acknowledgement before the hello line";
        return;
      }
      out.push_back(std::move(a));
      return;
  }
}

AckReader::State AckReader::poll(std::vector<AckLine>& out) {
  if (fd_ < 0 || state_ == State::kEnded || state_ == State::kBroken) return state_;
  char chunk[16384];
  for (;;) {
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      state_ = State::kBroken;
      error_ = std::string("read error: ") + strerror(errno);
      return state_;
    }
    if (n == 0) {
      // No writer: none yet (waiting), or the sender closed its end.
      if (state_ == State::kConnected) {
        state_ = State::kBroken;
        error_ = "the acknowledging stage (" + sender_ + ") closed the channel without finishing";
      }
      break;
    }
    buf_.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buf_.find('\n', start)) != std::string::npos; start = nl + 1) {
      take_line(std::string_view(buf_).substr(start, nl - start), out);
      if (state_ == State::kEnded || state_ == State::kBroken) {
        buf_.clear();
        return state_;
      }
    }
    buf_.erase(0, start);
    if (buf_.size() > 4096) {
      state_ = State::kBroken;
      error_ = "acknowledgement line too long";
      return state_;
    }
  }
  return state_;
}

void AckReader::wait(std::chrono::milliseconds timeout) const {
  struct pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd(), POLLIN, 0}};
  // Before a writer came (and after one left) POLLHUP may be set at once: do not spin.
  if (state_ != State::kConnected) {
    usleep(static_cast<useconds_t>(std::min<int64_t>(timeout.count(), 20) * 1000));
    return;
  }
  (void)::poll(p, 2, static_cast<int>(timeout.count()));
}

// --- sender ---

AckSender::~AckSender() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

Status AckSender::open(const std::string& path, std::string tool, std::chrono::milliseconds interval) {
  if (Status s = ensure_fifo(path); !s.ok()) return s;
  path_ = path;
  tool_ = std::move(tool);
  interval_ = interval;
  thread_ = std::thread([this] {
    block_signals_in_thread();
    run();
  });
  return Status::Ok();
}

uint32_t AckSender::topic_id(std::string_view topic) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < topics_.size(); i++)
    if (topics_[i] == topic) return static_cast<uint32_t>(i);
  topics_.emplace_back(topic);
  return static_cast<uint32_t>(topics_.size() - 1);
}

const std::string& AckSender::topic_name(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return topics_.at(id);
}

PartitionOffsets& AckSender::part_locked(uint32_t topic, int32_t partition) {
  return parts_[part_key(topic, partition)];
}

void AckSender::track(uint32_t topic, int32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  part_locked(topic, partition).track(offset);
}

void AckSender::done(uint32_t topic, int32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  PartitionOffsets& p = part_locked(topic, partition);
  int64_t before = p.committable();
  p.ack(offset);
  if (p.committable() != before) dirty_ = true;
}

void AckSender::pump_locked() {
  if (gone_) return;
  int fd = fd_.load();
  if (fd < 0) {
    fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;  // ENXIO: no reader yet
    fd_ = fd;
    out_.insert(0, std::string(kAckHello) + " " + tool_ + "\n");
    dirty_ = true;
  }
  if (dirty_ && out_.size() < 65536) {
    for (auto& [key, p] : parts_) {
      int64_t done = p.committable() - 1;
      if (done < 0) continue;
      auto it = sent_.find(key);
      if (it != sent_.end() && it->second == done) continue;
      append_ack_line(out_, topics_[key >> 32], static_cast<int32_t>(static_cast<uint32_t>(key)), done);
      sent_[key] = done;
    }
    dirty_ = false;
  }
  if (end_queued_ && !dirty_) {  // after the last acknowledgements
    out_.append("end\n");
    end_queued_ = false;
  }
  while (!out_.empty()) {
    ssize_t n = ::write(fd, out_.data(), out_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        gone_ = true;  // EPIPE: the reader went away
        out_.clear();
      }
      return;
    }
    out_.erase(0, static_cast<size_t>(n));
  }
}

void AckSender::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, interval_);
    if (!stopping_) pump_locked();
  }
}

Status AckSender::finish(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (path_.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  dirty_ = true;
  end_queued_ = true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pump_locked();
    bool delivered = fd_.load() >= 0 && out_.empty() && !end_queued_ && !dirty_;
    if (gone_) return Status(kExitIoErr, "--acks " + path_ + ": the reader went away; acknowledgements lost");
    if (delivered) break;
    if (std::chrono::steady_clock::now() >= deadline)
      return Status(kExitIoErr, "--acks " + path_ +
                                    (fd_.load() < 0 ? ": no reader opened the channel; acknowledgements not sent"
                                                    : ": the reader does not read; acknowledgements not all sent"));
    if (fd_.load() >= 0) {
      struct pollfd p = {fd_.load(), POLLOUT, 0};
      (void)::poll(&p, 1, 20);
    } else {
      usleep(20000);
    }
  }
  ::close(fd_.exchange(-1));
  return Status::Ok();
}

}  // namespace airstream
