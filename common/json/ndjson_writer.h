// Buffered output of NDJSON records (or any lines) to a file descriptor. Flushes when
// the buffer fills, on flush(), and after every record in line-buffered mode. A closed
// pipe (EPIPE) is reported through broken_pipe() so the tool can end quietly.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace airstream {

class Writer {
 public:
  explicit Writer(int fd, size_t buffer_size = 256u << 10);
  ~Writer();  // flushes, ignoring errors
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void set_line_buffered(bool on) { line_buffered_ = on; }

  // Appends text + '\n' as one record.
  Status write_line(std::string_view text);
  // Appends raw bytes (the caller writes its own newlines), then call end_record().
  Status write(std::string_view bytes);
  // Flushes in line-buffered mode or once the buffer is past its size; else only
  // reports an earlier failure (inline: called once per record).
  Status end_record() {
    if (line_buffered_ || buf_.size() >= limit_ || !failed_.ok()) return end_record_slow();
    return Status();
  }

  // The buffer, for building a record in place: append to buffer(), then
  // end_record() (which also flushes once the buffer is past its size).
  std::string& buffer() { return buf_; }

  Status flush();
  bool broken_pipe() const { return broken_pipe_; }
  uint64_t bytes_written() const { return written_; }
  int fd() const { return fd_; }

 private:
  Status end_record_slow();

  int fd_;
  size_t limit_;
  bool line_buffered_ = false;
  bool broken_pipe_ = false;
  std::string buf_;
  uint64_t written_ = 0;
  Status failed_;
};

}  // namespace airstream
