// Streaming NDJSON line reader: large buffered reads from a file or stdin ("-"),
// records spanning read boundaries, "\r\n" tolerated, blank lines skipped, a maximum
// line length, the line number and byte offset of every record, and invalid UTF-8
// detected. Each record's text is followed by at least kJsonPadding readable bytes,
// so it can be handed to simdjson on-demand without a copy.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace airstream {

struct ReaderOptions {
  size_t max_line = 16u << 20;  // longest record accepted (bytes, without newline)
  size_t read_size = 1u << 20;  // bytes asked of each read(2)
  bool validate_utf8 = true;    // flag records that are not valid UTF-8
};

struct LineRecord {
  std::string_view text;  // the record without its line ending; valid until next()
  uint64_t line = 0;      // 1-based line number in its input
  uint64_t offset = 0;    // byte offset of the record's first byte in its input
  // Non-empty when the record is unusable as read ("line too long", "invalid UTF-8");
  // text then holds at most the first 4 KiB of it, for the reject message.
  std::string_view error;
  const std::string* source = nullptr;  // input name ("-" for stdin)
};

class LineReader {
 public:
  // Reads the given inputs one after another ("-" or an empty list: stdin).
  // Opening happens lazily; a file that cannot be opened is an error (exit 66).
  explicit LineReader(std::vector<std::string> inputs, ReaderOptions options = {});
  // Reads an already open descriptor (not closed by the reader).
  LineReader(int fd, std::string name, ReaderOptions options = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  enum class Next { kRecord, kEnd, kError };

  // kRecord: out holds the next record. kEnd: all input read, or a stop was
  // requested (see stopped()). kError: see status().
  Next next(LineRecord& out);

  const Status& status() const { return status_; }
  // True if reading ended because of SIGINT/SIGTERM rather than end of input.
  bool stopped() const { return stopped_; }

  // Called just before a read that would block (input idle): tools flush output
  // here so interactive pipelines are not stuck behind a buffer.
  void set_idle_hook(std::function<void()> hook) { idle_hook_ = std::move(hook); }

  uint64_t bytes_read() const { return total_bytes_; }
  uint64_t records() const { return records_; }

 private:
  bool open_next_input();
  // Reads more bytes into the buffer. Returns false at end of input/stop/error.
  bool fill();
  void grow(size_t need);

  std::vector<std::string> inputs_;
  size_t input_index_ = 0;
  ReaderOptions opt_;
  int fd_ = -1;
  bool own_fd_ = false;
  bool eof_ = false;
  bool stopped_ = false;
  std::string name_;
  Status status_;
  std::function<void()> idle_hook_;

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;    // usable capacity (allocation is cap_ + kJsonPadding)
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last valid byte
  uint64_t line_ = 0;
  uint64_t offset_ = 0;      // input offset of buf_[begin_]
  bool discarding_ = false;  // skipping the rest of an over-long line
  uint64_t total_bytes_ = 0;
  uint64_t records_ = 0;
};

}  // namespace airstream
