// CQL native protocol wire primitives (native_protocol_v4.spec sections 2-3 and 5,
// native_protocol_v5.spec sections 2-3): big-endian integers built on memcpy, a
// bounds-checked body reader for the notations ([short], [string], [bytes], ...),
// the 9-byte envelope header, LZ4 body compression (v4) and the v5 outer framing
// (segments with a CRC24-protected little-endian header and a CRC32 trailer).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/big_endian.h"

namespace airstream::cql {

// ---- big-endian helpers (common/big_endian.h: memcpy, never pointer casts) ----
using airstream::load_u16;
using airstream::load_u32;
using airstream::load_u64;
using airstream::put_i32;
using airstream::put_i64;
using airstream::put_u16;
using airstream::put_u32;
using airstream::put_u64;
using airstream::put_u8;
using airstream::store_u32;

// [string] / [long string] / [bytes] / [short bytes] / [string map] writers.
inline void put_string(std::string& out, std::string_view s) {
  put_u16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}
inline void put_long_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
inline void put_bytes(std::string& out, std::string_view s) {
  put_long_string(out, s);
}
inline void put_short_bytes(std::string& out, std::string_view s) {
  put_string(out, s);
}
inline void put_null(std::string& out) {
  put_i32(out, -1);
}
inline void put_unset(std::string& out) {
  put_i32(out, -2);
}
void put_string_map(std::string& out, const std::vector<std::pair<std::string, std::string>>& m);

// Bounds-checked reader over a message body. Every getter returns a zero value once
// the body is exhausted and sets ok() to false; callers check ok() at the end.
class BodyReader {
 public:
  BodyReader() = default;
  explicit BodyReader(std::string_view body) : p_(body.data()), end_(body.data() + body.size()) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  std::string_view rest() const { return {p_, remaining()}; }

  uint8_t u8();
  uint16_t u16();
  int32_t i32();
  int64_t i64();
  std::string_view raw(size_t n);
  std::string_view string();       // [string]
  std::string_view long_string();  // [long string]
  // [bytes]: nullopt for null (negative length).
  std::optional<std::string_view> bytes();
  std::string_view short_bytes();
  std::vector<std::string> string_list();
  std::vector<std::pair<std::string, std::vector<std::string>>> string_multimap();
  std::string inetaddr();  // [inetaddr] as text
  std::string inet();      // [inet] as "addr:port"
  void fail() { ok_ = false; }

 private:
  bool need(size_t n);
  const char* p_ = nullptr;
  const char* end_ = nullptr;
  bool ok_ = true;
};

// ---- envelope (frame) header ----
enum Opcode : uint8_t {
  kOpError = 0x00,
  kOpStartup = 0x01,
  kOpReady = 0x02,
  kOpAuthenticate = 0x03,
  kOpOptions = 0x05,
  kOpSupported = 0x06,
  kOpQuery = 0x07,
  kOpResult = 0x08,
  kOpPrepare = 0x09,
  kOpExecute = 0x0A,
  kOpRegister = 0x0B,
  kOpEvent = 0x0C,
  kOpBatch = 0x0D,
  kOpAuthChallenge = 0x0E,
  kOpAuthResponse = 0x0F,
  kOpAuthSuccess = 0x10,
};

enum FrameFlags : uint8_t {
  kFlagCompression = 0x01,
  kFlagTracing = 0x02,
  kFlagCustomPayload = 0x04,
  kFlagWarning = 0x08,
  kFlagBeta = 0x10,
};

inline constexpr size_t kHeaderSize = 9;
inline constexpr uint32_t kMaxFrameBody = 256u << 20;

struct FrameHeader {
  uint8_t version = 0;  // without the response bit
  bool response = false;
  uint8_t flags = 0;
  int16_t stream = 0;
  uint8_t opcode = 0;
  uint32_t length = 0;
};

// Appends a 9-byte request header with a zero length; returns its offset so the
// length can be patched with end_frame() once the body is appended.
size_t begin_frame(std::string& out, uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode);
void end_frame(std::string& out, size_t header_offset);
FrameHeader parse_header(const char* p);

// Removes the tracing id / warnings / custom payload prefix of a response body
// according to its flags; warnings are returned when asked for.
std::string_view skip_body_prefix(const FrameHeader& h, std::string_view body,
                                  std::vector<std::string>* warnings = nullptr);

// ---- LZ4 (section 5): [int] uncompressed length followed by an LZ4 block ----
bool lz4_compress_body(std::string_view in, std::string& out);
bool lz4_decompress_body(std::string_view in, std::string& out);

// ---- v5 framing (native_protocol_v5.spec section 2) ----
inline constexpr size_t kMaxSegmentPayload = (1u << 17) - 1;
uint32_t crc24(const unsigned char* data, size_t len);
uint32_t crc32_v5(const unsigned char* data, size_t len);

// Appends payload as one or more uncompressed segments (split at 128 KiB - 1; a payload
// that fits is self-contained). With lz4, uses the compressed segment format.
void append_segments(std::string& out, std::string_view payload, bool lz4 = false);

enum class SegmentResult { kNeedMore, kOk, kError };
struct Segment {
  std::string payload;  // decompressed
  bool self_contained = false;
};
// Decodes one segment from the start of in. kOk: consumed is set; kError: err is set.
SegmentResult decode_segment(std::string_view in, bool lz4, Segment& seg, size_t& consumed, std::string& err);

// Consistency levels ([consistency]).
enum Consistency : uint16_t {
  kAny = 0,
  kOne = 1,
  kTwo = 2,
  kThree = 3,
  kQuorum = 4,
  kAll = 5,
  kLocalQuorum = 6,
  kEachQuorum = 7,
  kSerial = 8,
  kLocalSerial = 9,
  kLocalOne = 10,
};
std::optional<Consistency> parse_consistency(std::string_view name);
const char* consistency_name(uint16_t c);

}  // namespace airstream::cql
