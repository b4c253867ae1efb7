// NDJSON line reader. The buffer holds [begin_, end_) of unconsumed input and is
// always allocated kJsonPadding bytes past its capacity, so every record handed out
// can be parsed in place by simdjson. A line longer than max_line is reported once
// as an error record (with its first 4 KiB) and the rest of it is skipped without
// buffering, so memory stays bounded by max_line whatever the input.
#include "common/json/ndjson_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "common/json/json.h"
#include "common/signals.h"

namespace airstream {
namespace {
constexpr size_t kErrorExcerpt = 4096;
}

LineReader::LineReader(std::vector<std::string> inputs, ReaderOptions options)
    : inputs_(std::move(inputs)), opt_(options) {
  if (inputs_.empty()) inputs_.push_back("-");
}

LineReader::LineReader(int fd, std::string name, ReaderOptions options)
    : opt_(options), fd_(fd), name_(std::move(name)) {
  inputs_.push_back(name_);
  input_index_ = 1;
}

LineReader::~LineReader() {
  if (own_fd_ && fd_ >= 0) close(fd_);
}

bool LineReader::open_next_input() {
  if (own_fd_ && fd_ >= 0) close(fd_);
  fd_ = -1;
  own_fd_ = false;
  if (input_index_ >= inputs_.size()) return false;
  name_ = inputs_[input_index_++];
  if (name_ == "-") {
    fd_ = 0;
  } else {
    fd_ = open(name_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      status_ = Status(kExitNoInput, name_ + ": " + strerror(errno));
      return false;
    }
    own_fd_ = true;
  }
  eof_ = false;
  begin_ = end_ = 0;
  line_ = 0;
  offset_ = 0;
  discarding_ = false;
  return true;
}

void LineReader::grow(size_t need) {
  size_t cap = std::max<size_t>(cap_ ? cap_ : opt_.read_size * 2, 64 * 1024);
  while (cap < need) cap *= 2;
  if (cap == cap_ && buf_) return;
  std::unique_ptr<char[]> nb(new char[cap + kJsonPadding]);
  if (end_ > begin_) std::memcpy(nb.get(), buf_.get() + begin_, end_ - begin_);
  std::memset(nb.get() + cap, 0, kJsonPadding);
  end_ -= begin_;
  begin_ = 0;
  buf_ = std::move(nb);
  cap_ = cap;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Make room: move the partial line to the front, grow if it fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  size_t want = std::min(opt_.read_size, opt_.max_line + 2);
  if (!buf_ || cap_ - end_ < want) grow(end_ + want);

  for (;;) {
    if (stop_requested()) {
      stopped_ = true;
      return false;
    }
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd(), POLLIN, 0}};
    int ready = poll(fds, 2, 0);
    if (ready == 0) {
      if (idle_hook_) idle_hook_();
      ready = poll(fds, 2, -1);
    }
    if (ready < 0 && errno != EINTR) {
      status_ = Status(kExitIoErr, name_ + ": poll: " + strerror(errno));
      return false;
    }
    if (ready > 0 && (fds[1].revents & POLLIN) != 0) {
      stopped_ = true;
      return false;
    }
    if (ready <= 0) continue;
    ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      status_ = Status(kExitIoErr, name_ + ": read error: " + strerror(errno));
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    total_bytes_ += static_cast<uint64_t>(n);
    return true;
  }
}

LineReader::Next LineReader::next(LineRecord& out) {
  if (fd_ < 0 && !open_next_input()) return status_.ok() ? Next::kEnd : Next::kError;
  for (;;) {
    char* base = buf_ ? buf_.get() : nullptr;
    const char* nl =
        end_ > begin_ ? static_cast<const char*>(std::memchr(base + begin_, '\n', end_ - begin_)) : nullptr;

    if (discarding_) {
      // Skipping the tail of an over-long line.
      if (nl == nullptr) {
        offset_ += end_ - begin_;
        begin_ = end_;
        if (!fill()) {
          if (!status_.ok()) return Next::kError;
          if (stopped_) return Next::kEnd;
          discarding_ = false;
          if (!open_next_input()) return status_.ok() ? Next::kEnd : Next::kError;
        }
        continue;
      }
      size_t skip = static_cast<size_t>(nl - (base + begin_)) + 1;
      offset_ += skip;
      begin_ += skip;
      discarding_ = false;
      continue;
    }

    size_t len;
    bool complete = nl != nullptr;
    if (complete) {
      len = static_cast<size_t>(nl - (base + begin_));
    } else {
      len = end_ - begin_;
      if (len <= opt_.max_line && !eof_) {
        if (fill()) continue;
        if (!status_.ok()) return Next::kError;
        if (stopped_) return Next::kEnd;
      }
      // eof_: the last line has no newline; take what is there.
      if (len == 0) {
        if (!open_next_input()) return status_.ok() ? Next::kEnd : Next::kError;
        continue;
      }
    }

    uint64_t rec_offset = offset_;
    const char* start = base + begin_;
    size_t text_len = len;
    if (text_len > 0 && start[text_len - 1] == '\r') text_len--;

    out = LineRecord();
    out.line = ++line_;
    out.offset = rec_offset;
    out.source = &name_;

    if (len > opt_.max_line) {
      out.text = std::string_view(start, std::min(text_len, kErrorExcerpt));
      out.error = "line too long";
      if (complete) {
        begin_ += len + 1;
        offset_ += len + 1;
      } else {
        offset_ += end_ - begin_;
        begin_ = end_;
        discarding_ = true;
      }
      records_++;
      return Next::kRecord;
    }

    begin_ += len + (complete ? 1 : 0);
    offset_ += len + (complete ? 1 : 0);

    // Blank lines (only whitespace) are skipped.
    bool blank = true;
    for (size_t i = 0; i < text_len; i++) {
      char c = start[i];
      if (c != ' ' && c != '\t' && c != '\r') {
        blank = false;
        break;
      }
    }
    if (blank) continue;

    out.text = std::string_view(start, text_len);
    if (opt_.validate_utf8 && !is_valid_utf8(out.text)) {
      out.error = "invalid UTF-8";
      if (out.text.size() > kErrorExcerpt) out.text = out.text.substr(0, kErrorExcerpt);
    }
    records_++;
    return Next::kRecord;
  }
}

}  // namespace airstream
