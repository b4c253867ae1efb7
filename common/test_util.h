// Helpers for common/ unit tests: temporary files and reading a whole input through
// a LineReader.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/json/ndjson_reader.h"

namespace airstream::testing {

// A temporary file removed at scope exit.
class TempFile {
 public:
  explicit TempFile(const std::string& content = "") {
    char tmpl[] = "/tmp/airstream-test-XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    size_t off = 0;
    while (off < content.size()) {
      ssize_t n = ::write(fd, content.data() + off, content.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fd);
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  std::string read() const {
    std::string out;
    int fd = open(path_.c_str(), O_RDONLY);
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
  }

 private:
  std::string path_;
};

struct ReadResult {
  std::string text;
  uint64_t line = 0, offset = 0;
  std::string error;
};

inline std::vector<ReadResult> read_all(const std::string& content, ReaderOptions opt = {}) {
  TempFile f(content);
  LineReader reader({f.path()}, opt);
  std::vector<ReadResult> out;
  LineRecord rec;
  while (reader.next(rec) == LineReader::Next::kRecord) {
    out.push_back({std::string(rec.text), rec.line, rec.offset, std::string(rec.error)});
  }
  return out;
}

}  // namespace airstream::testing
