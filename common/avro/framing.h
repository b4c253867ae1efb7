// Confluent's wire format for registry-encoded Kafka messages: a magic byte 0x00, the
// schema id as a 4-byte big-endian integer, then the Avro binary encoding of the
// datum. Written and read through the big-endian helpers (memcpy, no pointer casts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/big_endian.h"

namespace airstream::avro {

inline constexpr size_t kFrameHeaderSize = 5;
inline constexpr char kMagicByte = 0;

// Appends the 5-byte header for schema_id to out.
inline void put_frame_header(std::string& out, uint32_t schema_id) {
  out.push_back(kMagicByte);
  put_u32(out, schema_id);
}

// Splits a framed message into its schema id and Avro payload. Returns "" or the
// reason the message is not Confluent-framed.
inline std::string_view split_frame(std::string_view message, uint32_t& schema_id, std::string_view& payload) {
  if (message.size() < kFrameHeaderSize) return "shorter than the 5-byte schema-registry header";
  if (message[0] != kMagicByte) return "first byte is not the schema-registry magic byte 0";
  schema_id = load_u32(message.data() + 1);
  payload = message.substr(kFrameHeaderSize);
  return {};
}

}  // namespace airstream::avro
