// kconsume --lag: the group's committed offset, the end offset and the lag of every
// partition of the given topics, as NDJSON (what kafka-consumer-groups --describe shows).
#pragma once

#include "common/json/ndjson_writer.h"
#include "common/status.h"
#include "options.h"

namespace airstream::kconsume {

// Writes one line per partition:
//   {"topic":"t","partition":0,"committed":42,"end":50,"lag":8}
// "committed" is null when the group has no committed offset for the partition; the
// lag is then counted from the partition's first offset (kconsume's default start).
Status print_lag(const Options& options, Writer& out);

}  // namespace airstream::kconsume
