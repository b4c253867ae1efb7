// libFuzzer target: the NDJSON line reader (common/json/ndjson_reader.h) over an input
// fed through a pipe in small reads, with a small --max-line taken from the first
// byte: records never exceed it, their padding is readable, line numbers only grow.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/json/ndjson_reader.h"
#include "fuzz_util.h"

using namespace airstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ReaderOptions opt;
  opt.max_line = 1 + data[0] % 64;
  opt.read_size = 1 + (size > 1 ? data[1] % 32 : 0);
  int fds[2];
  if (pipe(fds) != 0) return 0;
  std::thread writer([&] {
    size_t off = 0;
    while (off < size) {
      ssize_t n = write(fds[1], data + off, size - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fds[1]);
  });
  {
    LineReader reader(fds[0], "fuzz", opt);
    LineRecord rec;
    uint64_t last_line = 0;
    unsigned char sum = 0;
    while (reader.next(rec) == LineReader::Next::kRecord) {
      if (rec.line <= last_line) abort();
      last_line = rec.line;
      if (rec.error.empty() && rec.text.size() > opt.max_line) abort();
      for (size_t i = 0; i < rec.text.size() + (rec.error.empty() ? kJsonPadding : 0); i++)
        sum = static_cast<unsigned char>(sum + static_cast<unsigned char>(rec.text.data()[i]));
    }
    (void)sum;
  }
  writer.join();
  close(fds[0]);
  return 0;
}
