// kconsume -L and -Q, kcat's metadata modes: the cluster's brokers, topics and
// partitions (leader, replicas, ISRs, plus each partition's watermarks), and offsets
// looked up by timestamp. Text as kcat prints it, or kcat's JSON with -J.
#pragma once

#include "common/json/ndjson_writer.h"
#include "common/status.h"
#include "options.h"

namespace airstream::kconsume {

// -L: every topic, or the -t topics (names and ^regexes). kExitNoInput (after the
// listing) when a named topic does not exist, kExitUnavailable without metadata.
Status list_metadata(const Options& o, Writer& out);

// -Q: the offset of the first message at or after each query's timestamp (-1 when
// there is none). kExitNoInput for a topic or partition that does not exist,
// kExitUnavailable when the lookup fails.
Status query_offsets(const Options& o, Writer& out);

}  // namespace airstream::kconsume
