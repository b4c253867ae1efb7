// CQL wire primitives. Notations per native_protocol_v4.spec section 3; the envelope
// header per section 2 (version byte with the response bit 0x80, flags, [short]
// stream, opcode, [int] body length); LZ4 compression per section 5 (body prefixed
// with its uncompressed length as a big-endian [int]); v5 outer framing per
// native_protocol_v5.spec section 2: a 3-byte (uncompressed) or 5-byte (LZ4)
// little-endian header holding the payload length(s) and the self-contained bit,
// its CRC24 (init 0x875060, polynomial 0x1974F0B), the payload, then the payload's
// CRC32 (IEEE, seeded with the bytes fa 2d 55 ca; zlib's crc32), all little-endian.
#include "common/cql/wire.h"

#include <arpa/inet.h>
#include <lz4.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace airstream::cql {

void put_string_map(std::string& out, const std::vector<std::pair<std::string, std::string>>& m) {
  put_u16(out, static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    put_string(out, k);
    put_string(out, v);
  }
}

bool BodyReader::need(size_t n) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    return false;
  }
  return true;
}

uint8_t BodyReader::u8() {
  if (!need(1)) return 0;
  return static_cast<uint8_t>(*p_++);
}
uint16_t BodyReader::u16() {
  if (!need(2)) return 0;
  uint16_t v = load_u16(p_);
  p_ += 2;
  return v;
}
int32_t BodyReader::i32() {
  if (!need(4)) return 0;
  int32_t v = static_cast<int32_t>(load_u32(p_));
  p_ += 4;
  return v;
}
int64_t BodyReader::i64() {
  if (!need(8)) return 0;
  int64_t v = static_cast<int64_t>(load_u64(p_));
  p_ += 8;
  return v;
}
std::string_view BodyReader::raw(size_t n) {
  if (!need(n)) return {};
  std::string_view v(p_, n);
  p_ += n;
  return v;
}
std::string_view BodyReader::string() {
  return raw(u16());
}
std::string_view BodyReader::long_string() {
  int32_t n = i32();
  if (n < 0) {
    ok_ = false;
    return {};
  }
  return raw(static_cast<size_t>(n));
}
std::optional<std::string_view> BodyReader::bytes() {
  int32_t n = i32();
  if (!ok_ || n < 0) return std::nullopt;
  return raw(static_cast<size_t>(n));
}
std::string_view BodyReader::short_bytes() {
  return raw(u16());
}
std::vector<std::string> BodyReader::string_list() {
  std::vector<std::string> out;
  uint16_t n = u16();
  for (uint16_t i = 0; i < n && ok_; i++) out.emplace_back(string());
  return out;
}
std::vector<std::pair<std::string, std::vector<std::string>>> BodyReader::string_multimap() {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  uint16_t n = u16();
  for (uint16_t i = 0; i < n && ok_; i++) {
    std::string k(string());
    out.emplace_back(std::move(k), string_list());
  }
  return out;
}
std::string BodyReader::inetaddr() {
  uint8_t n = u8();
  std::string_view a = raw(n);
  if (!ok_ || (n != 4 && n != 16)) {
    ok_ = false;
    return {};
  }
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(n == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}
std::string BodyReader::inet() {
  std::string a = inetaddr();
  int32_t port = i32();
  return a + ":" + std::to_string(port);
}

size_t begin_frame(std::string& out, uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode) {
  size_t at = out.size();
  put_u8(out, version);
  put_u8(out, flags);
  put_u16(out, static_cast<uint16_t>(stream));
  put_u8(out, opcode);
  put_u32(out, 0);
  return at;
}

void end_frame(std::string& out, size_t header_offset) {
  store_u32(&out[header_offset + 5], static_cast<uint32_t>(out.size() - header_offset - kHeaderSize));
}

FrameHeader parse_header(const char* p) {
  FrameHeader h;
  auto v = static_cast<uint8_t>(p[0]);
  h.version = v & 0x7f;
  h.response = (v & 0x80) != 0;
  h.flags = static_cast<uint8_t>(p[1]);
  h.stream = static_cast<int16_t>(load_u16(p + 2));
  h.opcode = static_cast<uint8_t>(p[4]);
  h.length = load_u32(p + 5);
  return h;
}

std::string_view skip_body_prefix(const FrameHeader& h, std::string_view body, std::vector<std::string>* warnings) {
  BodyReader r(body);
  if (h.flags & kFlagTracing) r.raw(16);
  if (h.flags & kFlagWarning) {
    auto w = r.string_list();
    if (warnings) *warnings = std::move(w);
  }
  if (h.flags & kFlagCustomPayload) {
    uint16_t n = r.u16();
    for (uint16_t i = 0; i < n && r.ok(); i++) {
      r.string();
      r.bytes();
    }
  }
  return r.ok() ? r.rest() : std::string_view();
}

bool lz4_compress_body(std::string_view in, std::string& out) {
  out.clear();
  put_u32(out, static_cast<uint32_t>(in.size()));
  int bound = LZ4_compressBound(static_cast<int>(in.size()));
  out.resize(4 + static_cast<size_t>(bound));
  int n = LZ4_compress_default(in.data(), out.data() + 4, static_cast<int>(in.size()), bound);
  if (n <= 0) return false;
  out.resize(4 + static_cast<size_t>(n));
  return true;
}

bool lz4_decompress_body(std::string_view in, std::string& out) {
  if (in.size() < 4) return false;
  uint32_t n = load_u32(in.data());
  // An LZ4 block expands at most 255 times (plus a few bytes): a length beyond what
  // the block can hold is refused before anything is allocated for it (found by
  // fuzz_cql_frame: 13 bytes made the client zero 256 MiB).
  if (n > kMaxFrameBody || n > (in.size() - 4) * 255 + 16) return false;
  out.resize(n);
  if (n == 0) return true;
  int got = LZ4_decompress_safe(in.data() + 4, out.data(), static_cast<int>(in.size() - 4), static_cast<int>(n));
  return got == static_cast<int>(n);
}

uint32_t crc24(const unsigned char* data, size_t len) {
  uint32_t crc = 0x875060;
  for (size_t i = 0; i < len; i++) {
    crc ^= uint32_t{data[i]} << 16;
    for (int b = 0; b < 8; b++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1974F0B;
    }
  }
  return crc & 0xffffff;
}

namespace {

void put_le(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; i++) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t load_le(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void append_one_segment(std::string& out, std::string_view payload, bool self_contained, bool lz4) {
  std::string compressed;
  uint64_t header;
  int hlen;
  std::string_view encoded = payload;
  if (lz4) {
    uint64_t uncompressed_len = payload.size();
    int bound = LZ4_compressBound(static_cast<int>(payload.size()));
    compressed.resize(static_cast<size_t>(bound));
    int n = LZ4_compress_default(payload.data(), compressed.data(), static_cast<int>(payload.size()), bound);
    if (n > 0 && static_cast<size_t>(n) < payload.size()) {
      compressed.resize(static_cast<size_t>(n));
      encoded = compressed;
    } else {
      uncompressed_len = 0;  // sent as is
    }
    header = encoded.size() | (uncompressed_len << 17) | (uint64_t{self_contained} << 34);
    hlen = 5;
  } else {
    header = payload.size() | (uint64_t{self_contained} << 17);
    hlen = 3;
  }
  size_t at = out.size();
  put_le(out, header, hlen);
  put_le(out, crc24(reinterpret_cast<const unsigned char*>(out.data() + at), static_cast<size_t>(hlen)), 3);
  out.append(encoded);
  put_le(out, crc32_v5(reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size()), 4);
}

}  // namespace

uint32_t crc32_v5(const unsigned char* data, size_t len) {
  // zlib's crc32 is the IEEE CRC-32 (reflected, pre- and post-inverted) over a running
  // value: the seed bytes first, then the data, several bytes per step.
  static const unsigned char kSeed[4] = {0xfa, 0x2d, 0x55, 0xca};
  static const uLong kInit = crc32(0L, kSeed, 4);
  uLong crc = kInit;
  while (len > 0) {  // zlib takes a uInt length
    auto n = static_cast<uInt>(std::min<size_t>(len, 1u << 30));
    crc = crc32(crc, data, n);
    data += n;
    len -= n;
  }
  return static_cast<uint32_t>(crc);
}

void append_segments(std::string& out, std::string_view payload, bool lz4) {
  if (payload.size() <= kMaxSegmentPayload) {
    append_one_segment(out, payload, true, lz4);
    return;
  }
  for (size_t at = 0; at < payload.size(); at += kMaxSegmentPayload)
    append_one_segment(out, payload.substr(at, kMaxSegmentPayload), false, lz4);
}

SegmentResult decode_segment(std::string_view in, bool lz4, Segment& seg, size_t& consumed, std::string& err) {
  int hlen = lz4 ? 5 : 3;
  if (in.size() < static_cast<size_t>(hlen + 3)) return SegmentResult::kNeedMore;
  uint64_t header = load_le(in.data(), hlen);
  uint32_t want_crc = static_cast<uint32_t>(load_le(in.data() + hlen, 3));
  if (crc24(reinterpret_cast<const unsigned char*>(in.data()), static_cast<size_t>(hlen)) != want_crc) {
    err = "v5 segment header CRC24 mismatch";
    return SegmentResult::kError;
  }
  size_t len = header & kMaxSegmentPayload;
  size_t uncompressed = lz4 ? (header >> 17) & kMaxSegmentPayload : 0;
  seg.self_contained = ((header >> (lz4 ? 34 : 17)) & 1) != 0;
  size_t total = static_cast<size_t>(hlen) + 3 + len + 4;
  if (in.size() < total) return SegmentResult::kNeedMore;
  const char* payload = in.data() + hlen + 3;
  uint32_t want32 = static_cast<uint32_t>(load_le(payload + len, 4));
  if (crc32_v5(reinterpret_cast<const unsigned char*>(payload), len) != want32) {
    err = "v5 segment payload CRC32 mismatch";
    return SegmentResult::kError;
  }
  if (lz4 && uncompressed > 0) {
    seg.payload.resize(uncompressed);
    int got = LZ4_decompress_safe(payload, seg.payload.data(), static_cast<int>(len), static_cast<int>(uncompressed));
    if (got != static_cast<int>(uncompressed)) {
      err = "v5 segment LZ4 decompression failed";
      return SegmentResult::kError;
    }
  } else {
    seg.payload.assign(payload, len);
  }
  consumed = total;
  return SegmentResult::kOk;
}

namespace {
constexpr const char* kConsistencyNames[] = {"ANY",          "ONE",         "TWO",    "THREE",        "QUORUM",   "ALL",
                                             "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE"};
}

std::optional<Consistency> parse_consistency(std::string_view name) {
  std::string up;
  for (char c : name) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  for (uint16_t i = 0; i < 11; i++)
    if (up == kConsistencyNames[i]) return static_cast<Consistency>(i);
  return std::nullopt;
}

const char* consistency_name(uint16_t c) {
  return c < 11 ? kConsistencyNames[c] : "UNKNOWN";
}

}  // namespace airstream::cql
