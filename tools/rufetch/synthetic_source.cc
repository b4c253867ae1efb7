// Synthetic pages: appends each user straight into the Writer's buffer (one buffer,
// flushed by the Writer when full), so generation runs at memory speed. Also the
// envelope and timestamp helpers shared with the HTTP source.
#include "synthetic_source.h"

#include <sys/time.h>
#include <time.h>

#include <cstdio>

namespace airstream::rufetch {

std::string utc_timestamp_now() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ts.tv_nsec / 1000000));
  return buf;
}

void append_envelope_head(std::string& out, std::string_view seed_json, uint64_t page, uint64_t index,
                          std::string_view version_json, std::string_view fetched_at) {
  out += "{\"seed\":";
  out += seed_json;
  out += ",\"page\":";
  out += std::to_string(page);
  out += ",\"index\":";
  out += std::to_string(index);
  out += ",\"version\":";
  out += version_json;
  out += ",\"fetched_at\":\"";
  out += fetched_at;
  out += "\",\"result\":";
}

SyntheticSource::SyntheticSource(uint64_t seed, uint32_t page_size, bool envelope)
    : users_(seed), seed_(seed), page_size_(page_size), envelope_(envelope) {}

Status SyntheticSource::fetch(uint64_t page, uint32_t want, Writer& out, PageOutcome& outcome) {
  uint64_t first = (page - 1) * page_size_;
  std::string seed_json(1, '"');
  seed_json += std::to_string(seed_);
  seed_json += '"';
  std::string now = envelope_ ? utc_timestamp_now() : std::string();
  for (uint32_t i = 0; i < want; ++i) {
    std::string& buf = out.buffer();
    if (envelope_) append_envelope_head(buf, seed_json, page, i, "\"synthetic\"", now);
    users_.append_user(buf, first + i);
    if (envelope_) buf += '}';
    buf += '\n';
    if (Status s = out.end_record(); !s) return s;
    if (out.broken_pipe()) break;
    ++outcome.written;
  }
  return Status::Ok();
}

}  // namespace airstream::rufetch
