// Tests of the CQL wire layer: big-endian helpers, the body reader's bounds checks,
// envelope headers, LZ4 bodies and v5 segments (CRC24/CRC32, split of large payloads,
// corruption detection), cross-checked with python3-cassandra's cassandra.segment.
#include "common/cql/wire.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "common/cql/test_util.h"

namespace airstream::cql {
namespace {

using testutil::from_hex;
using testutil::to_hex;

TEST(CqlWire, BigEndianHelpers) {
  std::string out;
  put_u16(out, 0x1234);
  put_u32(out, 0xdeadbeef);
  put_u64(out, 0x0102030405060708ULL);
  put_i32(out, -2);
  EXPECT_EQ(to_hex(out), "1234deadbeef0102030405060708fffffffe");
  EXPECT_EQ(load_u16(out.data()), 0x1234);
  EXPECT_EQ(load_u32(out.data() + 2), 0xdeadbeefu);
  EXPECT_EQ(load_u64(out.data() + 6), 0x0102030405060708ULL);
}

TEST(CqlWire, NotationsRoundTrip) {
  std::string out;
  put_string(out, "ks");
  put_long_string(out, "SELECT 1");
  put_bytes(out, "xyz");
  put_null(out);
  put_short_bytes(out, std::string("\x01\x02", 2));
  put_string_map(out, {{"CQL_VERSION", "3.0.0"}});
  put_u16(out, 1);  // string list
  put_string(out, "w");
  put_u8(out, 4);
  out += std::string("\x7f\x00\x00\x01", 4);
  put_i32(out, 9042);
  BodyReader r(out);
  EXPECT_EQ(r.string(), "ks");
  EXPECT_EQ(r.long_string(), "SELECT 1");
  EXPECT_EQ(*r.bytes(), "xyz");
  EXPECT_FALSE(r.bytes().has_value());
  EXPECT_EQ(r.short_bytes().size(), 2u);
  EXPECT_EQ(r.u16(), 1);
  EXPECT_EQ(r.string(), "CQL_VERSION");
  EXPECT_EQ(r.string(), "3.0.0");
  EXPECT_EQ(r.string_list(), std::vector<std::string>{"w"});
  EXPECT_EQ(r.inet(), "127.0.0.1:9042");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  r.u8();
  EXPECT_FALSE(r.ok());
}

TEST(CqlWire, ReaderRejectsTruncatedInput) {
  std::string out;
  put_u16(out, 10);
  out += "abc";
  BodyReader r(out);
  EXPECT_EQ(r.string(), "");
  EXPECT_FALSE(r.ok());
  const std::string negative = from_hex("ffffff00");  // the reader keeps a view of it
  BodyReader neg(negative);
  neg.long_string();
  EXPECT_FALSE(neg.ok());
}

TEST(CqlWire, FrameHeader) {
  std::string out;
  size_t at = begin_frame(out, 4, 0, 300, kOpQuery);
  out += "body";
  end_frame(out, at);
  EXPECT_EQ(to_hex(out), "0400012c0700000004" + to_hex("body"));
  std::string resp = from_hex("8408ffff0c00000010");
  FrameHeader h = parse_header(resp.data());
  EXPECT_TRUE(h.response);
  EXPECT_EQ(h.version, 4);
  EXPECT_EQ(h.flags, kFlagWarning);
  EXPECT_EQ(h.stream, -1);
  EXPECT_EQ(h.opcode, kOpEvent);
  EXPECT_EQ(h.length, 16u);
}

TEST(CqlWire, SkipsWarningsAndTracing) {
  std::string body(16, '\x11');  // tracing id
  put_u16(body, 2);
  put_string(body, "batch too large");
  put_string(body, "second");
  put_i32(body, 1);  // the message
  FrameHeader h;
  h.flags = kFlagTracing | kFlagWarning;
  std::vector<std::string> warnings;
  auto msg = skip_body_prefix(h, body, &warnings);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "batch too large");
  EXPECT_EQ(to_hex(msg), "00000001");
}

TEST(CqlWire, Lz4Body) {
  std::string text;
  for (int i = 0; i < 200; i++) text += "INSERT INTO ks.t (id) VALUES (?);";
  std::string c, d;
  ASSERT_TRUE(lz4_compress_body(text, c));
  EXPECT_LT(c.size(), text.size());
  EXPECT_EQ(load_u32(c.data()), text.size());
  ASSERT_TRUE(lz4_decompress_body(c, d));
  EXPECT_EQ(d, text);
  c[c.size() / 2] ^= 0x55;
  c.resize(c.size() - 3);
  EXPECT_FALSE(lz4_decompress_body(c, d) && d == text);
  // The most compressible body still decompresses; a length no LZ4 block of that size
  // can hold is refused (before 200 MB are allocated for it).
  std::string zeros(1 << 20, '\0');
  ASSERT_TRUE(lz4_compress_body(zeros, c));
  ASSERT_TRUE(lz4_decompress_body(c, d));
  EXPECT_EQ(d, zeros);
  std::string claim;
  put_u32(claim, 200u << 20);
  claim += std::string("\x10") + "abcdefgh";
  EXPECT_FALSE(lz4_decompress_body(claim, d));
}

TEST(CqlWire, ChecksumKnownValues) {
  // Values from python3-cassandra's compute_crc24 / compute_crc32(.., CRC32_INITIAL).
  unsigned char h[3] = {0x09, 0x00, 0x02};  // 9-byte self-contained payload, little-endian
  EXPECT_EQ(crc24(h, 3), 0xc1c8a4u);
  EXPECT_EQ(crc32_v5(reinterpret_cast<const unsigned char*>("hello"), 5), 0xb60e8074u);
}

// The IEEE CRC-32 one bit at a time, straight from its definition (reflected
// polynomial 0xEDB88320, register inverted before and after).
uint32_t crc32_bitwise(uint32_t crc, const unsigned char* p, size_t n) {
  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int b = 0; b < 8; b++) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

TEST(CqlWire, Crc32MatchesTheBitwiseDefinition) {
  const unsigned char seed[4] = {0xfa, 0x2d, 0x55, 0xca};
  // The CRC-32 check value of "123456789" is 0xcbf43926: the reference is right.
  EXPECT_EQ(crc32_bitwise(0, reinterpret_cast<const unsigned char*>("123456789"), 9), 0xcbf43926u);
  // Every length up to a few words past the word-at-a-time paths, at every alignment,
  // then a full segment.
  std::vector<unsigned char> data(kMaxSegmentPayload + 8);
  uint32_t x = 12345;
  for (auto& c : data) {
    x = x * 1103515245u + 12345u;
    c = static_cast<unsigned char>(x >> 16);
  }
  const uint32_t init = crc32_bitwise(0, seed, 4);
  for (size_t start = 0; start < 8; start++)
    for (size_t len = 0; len <= 80; len++)
      ASSERT_EQ(crc32_v5(data.data() + start, len), crc32_bitwise(init, data.data() + start, len))
          << start << " " << len;
  EXPECT_EQ(crc32_v5(data.data() + 3, kMaxSegmentPayload), crc32_bitwise(init, data.data() + 3, kMaxSegmentPayload));
}

TEST(CqlWire, SegmentRoundTripAndCorruption) {
  for (bool lz4 : {false, true}) {
    std::string payload;
    for (int i = 0; i < 1000; i++) payload += "envelope-" + std::to_string(i);
    std::string wire;
    append_segments(wire, payload, lz4);
    Segment seg;
    size_t used = 0;
    std::string err;
    ASSERT_EQ(decode_segment(wire, lz4, seg, used, err), SegmentResult::kOk) << err;
    EXPECT_EQ(used, wire.size());
    EXPECT_TRUE(seg.self_contained);
    EXPECT_EQ(seg.payload, payload);
    EXPECT_EQ(decode_segment(std::string_view(wire).substr(0, wire.size() - 1), lz4, seg, used, err),
              SegmentResult::kNeedMore);
    std::string bad = wire;
    bad[lz4 ? 10 : 8] ^= 1;  // payload byte
    EXPECT_EQ(decode_segment(bad, lz4, seg, used, err), SegmentResult::kError);
    bad = wire;
    bad[0] ^= 1;  // header byte
    EXPECT_EQ(decode_segment(bad, lz4, seg, used, err), SegmentResult::kError);
  }
}

TEST(CqlWire, LargePayloadIsSplitIntoNonSelfContainedSegments) {
  std::string payload(300000, 'x');
  std::string wire;
  append_segments(wire, payload, false);
  std::string got;
  size_t pos = 0;
  int n = 0;
  while (pos < wire.size()) {
    Segment seg;
    size_t used;
    std::string err;
    ASSERT_EQ(decode_segment(std::string_view(wire).substr(pos), false, seg, used, err), SegmentResult::kOk);
    EXPECT_FALSE(seg.self_contained);
    got += seg.payload;
    pos += used;
    n++;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(got, payload);
}

TEST(CqlWire, SegmentsMatchPythonDriver) {
  if (!testutil::have_python_driver()) GTEST_SKIP() << "python3-cassandra not installed";
  std::vector<std::string> payloads = {"", "a", std::string(1000, 'z'), from_hex("8404000102")};
  std::ostringstream script;
  script << "import io\nfrom cassandra.segment import SegmentCodec\n"
            "from cassandra.connection import lz4_compress, lz4_decompress\n"
            "c = SegmentCodec()\ncz = SegmentCodec(lz4_compress, lz4_decompress)\n"
            "for h in [";
  for (auto& p : payloads) script << "'" << to_hex(p) << "',";
  script << "]:\n"
            "    b = io.BytesIO(); c.encode(b, bytes.fromhex(h)); print(b.getvalue().hex())\n"
            "    b = io.BytesIO(); cz.encode(b, bytes.fromhex(h)); print(b.getvalue().hex())\n"
            "import sys\n"
            "for line in sys.argv[1:]: pass\n";
  auto out = testutil::run_python(script.str());
  ASSERT_TRUE(out.has_value());
  std::istringstream in(*out);
  for (auto& p : payloads) {
    std::string plain, compressed;
    ASSERT_TRUE(in >> plain >> compressed);
    std::string mine;
    append_segments(mine, p, false);
    EXPECT_EQ(to_hex(mine), plain) << "payload " << to_hex(p);
    // Compressed bytes may differ between LZ4 builds: decode theirs instead.
    Segment seg;
    size_t used;
    std::string err;
    std::string theirs = from_hex(compressed);
    ASSERT_EQ(decode_segment(theirs, true, seg, used, err), SegmentResult::kOk) << err;
    EXPECT_EQ(seg.payload, p);
  }
  // And the driver decodes our compressed segments.
  std::string mine;
  append_segments(mine, std::string(5000, 'q') + "tail", true);
  std::string check =
      "import io\nfrom cassandra.segment import SegmentCodec\n"
      "from cassandra.connection import lz4_compress, lz4_decompress\n"
      "cz = SegmentCodec(lz4_compress, lz4_decompress)\n"
      "b = io.BytesIO(bytes.fromhex('" +
      to_hex(mine) +
      "'))\n"
      "h = cz.decode_header(b)\nseg = cz.decode(b, h)\n"
      "assert seg.payload == b'q' * 5000 + b'tail' and seg.is_self_contained\nprint('ok')\n";
  auto ok = testutil::run_python(check);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, "ok\n");
}

TEST(CqlWire, Consistency) {
  EXPECT_EQ(parse_consistency("local_quorum"), kLocalQuorum);
  EXPECT_EQ(parse_consistency("ONE"), kOne);
  EXPECT_FALSE(parse_consistency("most").has_value());
  EXPECT_STREQ(consistency_name(kEachQuorum), "EACH_QUORUM");
}

}  // namespace
}  // namespace airstream::cql
