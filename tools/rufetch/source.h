// Where users come from: a Source fills one page at a time into the output buffer,
// all of a page or nothing (the HTTP source validates the whole body before writing
// a byte; the synthetic source cannot fail). The envelope helpers are shared so both
// sources wrap users identically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json/ndjson_writer.h"
#include "common/status.h"

namespace airstream::rufetch {

struct PageOutcome {
  uint64_t written = 0;   // users appended to the output
  uint64_t bytes_in = 0;  // bytes received (HTTP body, after decompression)
  uint32_t retries = 0;   // failed attempts before this outcome
};

class Source {
 public:
  virtual ~Source() = default;
  // Appends the first `want` users of page `page` (1-based) to out, one line each.
  // On error nothing of the page has been appended.
  virtual Status fetch(uint64_t page, uint32_t want, Writer& out, PageOutcome& outcome) = 0;
};

// "2026-11-21T06:50:54.123Z" for now (UTC, milliseconds).
std::string utc_timestamp_now();

// Appends {"seed":<seed_json>,"page":P,"index":I,"version":<version_json>,"fetched_at":"...","result":
// (the caller appends the user and then '}'). seed_json/version_json are JSON texts.
void append_envelope_head(std::string& out, std::string_view seed_json, uint64_t page, uint64_t index,
                          std::string_view version_json, std::string_view fetched_at);

}  // namespace airstream::rufetch
