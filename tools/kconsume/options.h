// kconsume's command line: the options, their validation, and the parsed forms of
// -o (where to start reading) and the durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/cli.h"
#include "common/cli.h"
#include "common/kafka/conf.h"
#include "common/status.h"
#include "format.h"

namespace airstream::kconsume {

// -o: beginning | end | stored | N (absolute) | -N (N before the end) | @TIMESTAMP_MS,
// s@TIMESTAMP_MS (kcat's spelling) or an ISO-8601 time (2026-12-04T09:00:00Z).
// kcat's e@TIMESTAMP (where to stop) is not a start: see Options::stop_at.
struct OffsetSpec {
  enum Kind { kBeginning, kEnd, kStored, kAbsolute, kTail, kTimestamp };
  Kind kind = kBeginning;
  int64_t value = 0;  // the offset, the tail count or the timestamp
};
Result<OffsetSpec> parse_offset_spec(std::string_view text);

// Milliseconds since the epoch, or an ISO-8601 time (-o s@/e@, -Q).
Result<int64_t> parse_timestamp(std::string_view text);

// -Q -t TOPIC:PARTITION:TIMESTAMP (kcat's form; the timestamp in milliseconds since
// the epoch or ISO-8601, -1 for the end, -2 for the beginning).
struct OffsetQuery {
  std::string topic;
  int32_t partition = 0;
  int64_t timestamp = 0;
};
Result<OffsetQuery> parse_offset_query(std::string_view text);

struct Options {
  CommonOptions common;
  KafkaOptions kafka;
  std::vector<std::string> topics;
  std::string group;
  std::vector<int32_t> partitions;
  std::vector<std::string> offset_texts;  // -o: a start, kcat's e@TIMESTAMP, or both
  int64_t count = -1;
  bool exit_at_end = false;
  bool exit_at_group_end = false;
  std::string timeout_text;  // empty: none
  std::string connect_timeout_text = "30s";
  std::string commit_interval_text = "5s";
  bool envelope = false;
  std::string format_text;         // -f, as given
  bool kcat_consume_mode = false;  // -C: accepted for kcat's habit
  std::string binary = "reject";
  bool lag = false;
  bool list_metadata = false;   // -L
  bool query_offsets = false;   // -Q
  std::string acks;             // --acks FIFO: commit only what the last stage acknowledged
  avro::ConsumeFormatCli avro;  // -s, --value-format, --key-format, --avro-unions, --registry...

  // Derived by parse_command_line().
  std::optional<OffsetSpec> offset;  // nullopt: the mode's default
  std::optional<int64_t> stop_at;    // -o e@TIMESTAMP: each partition ends before its first message this late
  std::vector<OffsetQuery> queries;  // -Q
  std::optional<std::chrono::milliseconds> idle_timeout;
  std::chrono::milliseconds connect_timeout{30000};
  std::chrono::milliseconds commit_interval{5000};
  FormatOptions format;

  bool group_mode() const { return !group.empty() && partitions.empty(); }
};

// Parses argv into o. Returns an exit code when kconsume must exit now (after --help,
// --version, -X list, -X dump, or a usage error, already reported), nullopt to go on.
std::optional<int> parse_command_line(int argc, char** argv, Options& o);

}  // namespace airstream::kconsume
