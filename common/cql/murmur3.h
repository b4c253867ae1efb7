// Murmur3 token of a partition key, exactly as Cassandra's Murmur3Partitioner
// computes it: MurmurHash3 x64 128-bit (seed 0), keeping the first 64-bit half,
// with Cassandra's variant of the tail: tail bytes are read as *signed* Java bytes
// (sign-extended before shifting). Long.MIN_VALUE is mapped to Long.MAX_VALUE as the
// partitioner does. The serialized partition key is the column value itself for a
// single-column key, and [short len][value][0x00] per component for a composite key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace airstream {

int64_t murmur3_token(std::string_view key);

// Serialized partition key of the given component values (size 1: the value itself).
std::string composite_partition_key(const std::vector<std::string_view>& components);

}  // namespace airstream
