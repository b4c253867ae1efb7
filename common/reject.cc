// The common reject mechanism: NDJSON reject records in --reject-file, or one line
// per reject on stderr, and the --max-errors limit. Each reject file line is written
// with a single write(2) so it is complete even if the tool is killed afterwards.
#include "common/reject.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/json/json.h"

namespace airstream {
namespace {

constexpr size_t kMaxRecordInFile = 64 * 1024;
constexpr size_t kMaxRecordOnStderr = 200;

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) n--;
  return s.substr(0, n);
}

}  // namespace

Rejecter::~Rejecter() {
  if (own_fd_ && fd_ >= 0) close(fd_);
}

Status Rejecter::open(std::string_view tool, const RejectOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  tool_ = std::string(tool);
  opt_ = options;
  if (!opt_.file.empty()) {
    int fd = ::open(opt_.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0644);
    if (fd < 0) return Status(kExitIoErr, "cannot open reject file " + opt_.file + ": " + strerror(errno));
    fd_ = fd;
    own_fd_ = true;
  }
  return Status::Ok();
}

Status Rejecter::reject(const RejectInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  count_++;
  line_.clear();
  if (own_fd_) {
    line_ += "{";
    if (!info.source.empty() && info.source != "-") {
      line_ += "\"file\":";
      append_json_string(line_, info.source);
      line_ += ",";
    }
    line_ += "\"line\":" + std::to_string(info.line) + ",\"offset\":" + std::to_string(info.offset) + ",";
    if (!info.extra_json.empty()) {
      line_ += info.extra_json;
      line_ += ",";
    }
    line_ += "\"error\":";
    append_json_string(line_, is_valid_utf8(info.error) ? info.error : "(error text not UTF-8)");
    std::string_view rec = info.record;
    bool truncated = false;
    if (is_valid_utf8(rec)) {
      if (rec.size() > kMaxRecordInFile) {
        rec = cut_utf8(rec, kMaxRecordInFile);
        truncated = true;
      }
      line_ += ",\"record\":";
      append_json_string(line_, rec);
    } else {
      if (rec.size() > kMaxRecordInFile) {
        rec = rec.substr(0, kMaxRecordInFile);
        truncated = true;
      }
      line_ += ",\"record_base64\":\"" + base64_encode(rec) + "\"";
    }
    if (truncated) line_ += ",\"truncated\":true";
    line_ += "}\n";
    if (!write_all(fd_, line_)) {
      return Status(kExitIoErr, "cannot write reject file " + opt_.file + ": " + strerror(errno));
    }
  } else {
    line_ = tool_ + ": rejected ";
    if (!info.source.empty() && info.source != "-") line_ += std::string(info.source) + ":";
    line_ += "line " + std::to_string(info.line);
    if (!info.extra_json.empty()) {
      line_ += " {" + std::string(info.extra_json);
      if (offset_in_context_) line_ += ",\"offset\":" + std::to_string(info.offset);
      line_ += "}";
    }
    line_ += ": ";
    line_ += info.error;
    std::string_view rec = info.record;
    if (!rec.empty()) {
      std::string excerpt;
      if (is_valid_utf8(rec)) {
        excerpt = json_string(cut_utf8(rec, kMaxRecordOnStderr));
      } else {
        excerpt = "(not UTF-8, " + std::to_string(rec.size()) + " bytes)";
      }
      line_ += ": " + excerpt;
      if (rec.size() > kMaxRecordOnStderr && is_valid_utf8(rec)) line_ += "...";
    }
    diag::raw(line_);
  }
  if (opt_.max_errors >= 0 && count_ > static_cast<uint64_t>(opt_.max_errors)) {
    return Status(kExitDataErr,
                  "too many rejected records (more than --max-errors " + std::to_string(opt_.max_errors) + ")");
  }
  return Status::Ok();
}

uint64_t Rejecter::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

Status Rejecter::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (own_fd_ && fsync(fd_) != 0 && errno != EINVAL) {
    return Status(kExitIoErr, "cannot sync reject file " + opt_.file + ": " + strerror(errno));
  }
  return Status::Ok();
}

}  // namespace airstream
