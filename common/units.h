// Parsing of durations ("250ms", "60s", "5m", "1h", "1.5s"; a bare number is
// seconds) and sizes ("4096", "64k", "16M", "1G", "16MiB"), for options and config.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace airstream {

Result<std::chrono::milliseconds> parse_duration(std::string_view text);
Result<uint64_t> parse_size(std::string_view text);

}  // namespace airstream
