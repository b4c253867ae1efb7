// Rejects: the one mechanism every tool uses for records it cannot take. A rejected
// record goes to --reject-file PATH as one NDJSON line
//   {"line":N,"offset":B,"error":"...","record":"<raw text>"}
// ("record_base64" instead of "record" when the raw text is not valid UTF-8; extra
// context such as topic/partition/offset may precede "error"), or, without a reject
// file, as a one-line message on stderr. --max-errors N stops the tool (exit 65)
// once more than N records were rejected. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace airstream {

struct RejectOptions {
  std::string file;         // empty: one line per reject on stderr
  int64_t max_errors = -1;  // -1: unlimited
};

struct RejectInfo {
  uint64_t line = 0;
  uint64_t offset = 0;
  std::string_view error;
  std::string_view record;      // raw text (truncated to 64 KiB in the reject file)
  std::string_view extra_json;  // preformatted members, e.g. "\"topic\":\"t\",\"partition\":0"
  std::string_view source;      // input name when reading several files ("" or "-": omitted)
};

class Rejecter {
 public:
  Rejecter() = default;
  ~Rejecter();
  Rejecter(const Rejecter&) = delete;
  Rejecter& operator=(const Rejecter&) = delete;

  // tool: prefix for stderr lines. Opens (creates/truncates) the reject file.
  Status open(std::string_view tool, const RejectOptions& options);
  // On stderr a reject with extra_json (a Kafka position: topic, partition) shows its
  // offset inside the braces, as it is the message's offset (kconsume, the sinks'
  // Kafka and envelope input, uxform --envelope). false: the offset is not a Kafka
  // offset (kproduce's is the byte offset of the input line) and is left out there.
  void set_offset_in_context(bool on) { offset_in_context_ = on; }

  // Records one reject. Returns a kExitDataErr status once --max-errors is exceeded,
  // a kExitIoErr status if the reject file cannot be written; ok otherwise.
  Status reject(const RejectInfo& info);

  uint64_t count() const;
  // 1 if anything was rejected, else 0: the exit code of a run that finished.
  int finish_code() const { return count() > 0 ? kExitRejected : kExitOk; }
  Status flush();

 private:
  mutable std::mutex mu_;
  std::string tool_;
  RejectOptions opt_;
  int fd_ = 2;
  bool own_fd_ = false;
  bool offset_in_context_ = true;
  uint64_t count_ = 0;
  std::string line_;
};

}  // namespace airstream
