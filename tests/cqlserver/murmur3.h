// Cassandra's Murmur3Partitioner token of a serialized partition key.
#pragma once

#include <cstdint>
#include <string_view>

namespace cqlsrv {

// First 64 bits of MurmurHash3 x64_128 (seed 0) with Cassandra's quirk of
// sign-extending the tail bytes; Long.MIN_VALUE is mapped to Long.MAX_VALUE.
int64_t murmur3_token(std::string_view key);

}  // namespace cqlsrv
