// Buffered record output with write(2): partial writes and EINTR are retried, EPIPE
// marks the writer as broken (the reader is gone; the tool ends quietly), any other
// error is an I/O error (exit 74).
#include "common/json/ndjson_writer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

namespace airstream {

Writer::Writer(int fd, size_t buffer_size) : fd_(fd), limit_(buffer_size) {
  buf_.reserve(buffer_size + 4096);
}

Writer::~Writer() {
  (void)flush();
}

Status Writer::write_line(std::string_view text) {
  buf_.append(text);
  buf_.push_back('\n');
  return end_record();
}

Status Writer::write(std::string_view bytes) {
  buf_.append(bytes);
  return Status::Ok();
}

Status Writer::end_record_slow() {
  if (line_buffered_ || buf_.size() >= limit_) return flush();
  return failed_;
}

Status Writer::flush() {
  if (!failed_.ok() || broken_pipe_) {
    buf_.clear();
    return failed_;
  }
  size_t off = 0;
  while (off < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + off, buf_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) {
        broken_pipe_ = true;
        buf_.clear();
        return Status::Ok();
      }
      failed_ = Status(kExitIoErr, std::string("write error: ") + strerror(errno));
      buf_.clear();
      return failed_;
    }
    off += static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
  buf_.clear();
  return Status::Ok();
}

}  // namespace airstream
