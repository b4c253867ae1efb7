// Tests of the JSON <-> Avro codec: round trips of every type and logical type, the
// refusals the encoder owes (missing field, wrong type, range, enum symbol, logical
// values) with their field paths, and hostile payloads the decoder must refuse.
#include "common/avro/codec.h"

#include <gtest/gtest.h>

#include "common/avro/framing.h"

namespace airstream::avro {
namespace {

const char* kUser = R"({"type": "record", "name": "User", "namespace": "t", "fields": [
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "age", "type": "int"},
  {"name": "big", "type": "long", "default": 7},
  {"name": "score", "type": ["null", "double"], "default": null},
  {"name": "name", "type": {"type": "record", "name": "Name", "fields": [
     {"name": "first", "type": "string"}, {"name": "last", "type": ["null", "string"]}]}},
  {"name": "gender", "type": {"type": "enum", "name": "Gender", "symbols": ["female", "male"]}},
  {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
  {"name": "attrs", "type": {"type": "map", "values": "long"}, "default": {}},
  {"name": "born", "type": {"type": "int", "logicalType": "date"}, "default": 0},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}, "default": 0},
  {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}, "default": 0},
  {"name": "tod", "type": {"type": "int", "logicalType": "time-millis"}, "default": 0},
  {"name": "tod_us", "type": {"type": "long", "logicalType": "time-micros"}, "default": 0},
  {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}, "default": ""},
  {"name": "fx", "type": {"type": "fixed", "name": "F", "size": 3}, "default": "abc"},
  {"name": "raw", "type": "bytes", "default": ""},
  {"name": "ratio", "type": "float", "default": 0},
  {"name": "ok", "type": "boolean", "default": true}
]})";

std::shared_ptr<const Schema> parse(const char* text) {
  auto s = Schema::parse(text);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

struct Codec {
  std::shared_ptr<const Schema> schema;
  Encoder enc;
  Decoder dec;
  explicit Codec(const char* text) : schema(parse(text)) {}
  std::string encode_error(const std::string& json) {
    std::string out;
    return enc.encode(*schema, json, out);
  }
  std::string round_trip(const std::string& json, UnionStyle style = UnionStyle::kPlain) {
    std::string bin, out;
    std::string e = enc.encode(*schema, json, bin);
    if (!e.empty()) return "encode: " + e;
    e = dec.decode(*schema, bin, out, style);
    if (!e.empty()) return "decode: " + e;
    return out;
  }
};

const std::string kMinimal =
    R"({"id": "0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e", "age": 31, "name": {"first": "Ann", "last": null}, "gender": "female")";

TEST(AvroCodec, RoundTripWithDefaults) {
  Codec c(kUser);
  EXPECT_EQ(
      c.round_trip(kMinimal + "}"),
      R"({"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"big":7,"score":null,"name":{"first":"Ann","last":null},)"
      R"("gender":"female","tags":[],"attrs":{},"born":"1970-01-01","at":"1970-01-01T00:00:00.000Z",)"
      R"("at_us":"1970-01-01T00:00:00.000000Z","tod":"00:00:00.000","tod_us":"00:00:00.000000","price":"0.00",)"
      R"("fx":"abc","raw":"","ratio":0,"ok":true})");
}

TEST(AvroCodec, RoundTripEveryValue) {
  Codec c(kUser);
  std::string in = kMinimal + R"(, "big": -9223372036854775808, "score": 2.5, "tags": ["a", "é"], "attrs": {"x": 1},
    "born": "1993-07-20", "at": "1993-07-20T09:44:18.674Z", "at_us": "1993-07-20T11:44:18.674123+02:00",
    "tod": "23:59:59.999", "tod_us": "12:00:00.000001", "price": "-1234567.89", "fx": "\u00ff\u0000a",
    "raw": "\u0001\u00e9", "ratio": 0.5, "ok": false})";
  EXPECT_EQ(
      c.round_trip(in),
      R"({"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"big":-9223372036854775808,"score":2.5,)"
      R"("name":{"first":"Ann","last":null},"gender":"female","tags":["a","é"],"attrs":{"x":1},"born":"1993-07-20",)"
      R"("at":"1993-07-20T09:44:18.674Z","at_us":"1993-07-20T09:44:18.674123Z","tod":"23:59:59.999",)"
      R"("tod_us":"12:00:00.000001","price":"-1234567.89","fx":"ÿ\u0000a","raw":"\u0001é","ratio":0.5,"ok":false})");
}

TEST(AvroCodec, TaggedUnions) {
  Codec c(kUser);
  std::string out = c.round_trip(kMinimal + R"(, "score": {"double": 1}})", UnionStyle::kTagged);
  EXPECT_NE(out.find(R"("score":{"double":1})"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("last":null)"), std::string::npos) << out;
}

TEST(AvroCodec, RefusesWithPathAndReason) {
  Codec c(kUser);
  std::string base = R"({"id": "0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e", "gender": "male", )";
  EXPECT_EQ(c.encode_error(base + R"("name": {"first": "A", "last": null}})"),
            "age: missing field (the schema gives no default)");
  EXPECT_EQ(c.encode_error(base + R"("age": "31", "name": {"first": "A", "last": null}})"),
            "age: expected int, got string");
  EXPECT_EQ(c.encode_error(base + R"("age": 2147483648, "name": {"first": "A", "last": null}})"),
            "age: out of range for Avro int");
  EXPECT_EQ(c.encode_error(base + R"("age": 1.5, "name": {"first": "A", "last": null}})"),
            "age: not an integer for Avro int");
  EXPECT_EQ(c.encode_error(base + R"("age": 1, "name": {"first": 5, "last": null}})"),
            "name.first: expected string, got integer");
  EXPECT_EQ(c.encode_error(base + R"("age": 1, "name": {"first": "A"}})"),
            "name.last: missing field (the schema gives no default)");
  EXPECT_EQ(c.encode_error(base + R"("age": 1, "name": {"first": "A", "last": 3}})"),
            "name.last: expected string, got integer");
  EXPECT_EQ(c.encode_error(base + R"("age": 1, "name": {"first": "A", "last": null}, "extra": 1})"),
            R"(field "extra" is not in record t.User)");
  std::string ok = base + R"("age": 1, "name": {"first": "A", "last": null})";
  EXPECT_EQ(
      c.encode_error(
          R"({"id": "0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e", "gender": "other", "age": 1, "name": {"first": "A", "last": null}})"),
      R"(gender: "other" is not a symbol of enum t.Gender)");
  EXPECT_EQ(c.encode_error(ok + R"(, "tags": ["a", 1]})"), "tags[1]: expected string, got integer");
  EXPECT_EQ(c.encode_error(ok + R"(, "attrs": {"k": 1.5}})"), "attrs.k: not an integer for Avro long");
  EXPECT_EQ(c.encode_error(ok + R"(, "big": 9223372036854775808})"), "big: out of range for Avro long");
  EXPECT_EQ(c.encode_error(ok + R"(, "born": "1993-02-30"})"), R"(born: "1993-02-30" is not a valid calendar date)");
  EXPECT_EQ(c.encode_error(ok + R"(, "at": "1993-07-20T09:44:18.6745Z"})"),
            R"(at: "1993-07-20T09:44:18.6745Z" is more precise than milliseconds)");
  EXPECT_EQ(c.encode_error(ok + R"(, "tod": 86400000})"), "tod: time of day out of range");
  EXPECT_EQ(c.encode_error(ok + R"(, "tod_us": "25:00:00"})"), R"(tod_us: "25:00:00" is not a valid time of day)");
  EXPECT_EQ(c.encode_error(ok + R"(, "born": 2147483648})"), "born: out of range for Avro int");
  EXPECT_EQ(c.encode_error(ok + R"(, "price": "1.234"})"),
            R"(price: "1.234" has more fraction digits than the decimal's scale 2)");
  EXPECT_EQ(c.encode_error(ok + R"(, "price": 12345678.9})"),
            R"(price: "12345678.9" has more digits than the decimal's precision 9)");
  EXPECT_EQ(c.encode_error(ok + R"(, "fx": "ab"})"), "fx: expected 3 bytes for fixed t.F, got 2");
  EXPECT_EQ(c.encode_error(ok + R"(, "raw": "€"})"), "raw: bytes must be a string of code points U+0000..U+00FF");
  EXPECT_EQ(c.encode_error(ok + R"(, "ratio": 1e39})"), "ratio: out of range for Avro float");
  EXPECT_EQ(c.encode_error(R"({"id": "not-a-uuid", "gender": "male", "age": 1, "name": {"first": "A", "last": null}})"),
            "id: not a uuid (8-4-4-4-12 hex digits)");
  EXPECT_EQ(c.encode_error("[1, 2]"), "expected record t.User, got array");
  EXPECT_EQ(c.encode_error(ok + "}"), "");
}

// The encoder's fast paths (fields in schema order, a union kept on its branch from
// one record to the next) give the same bytes and refusals as the general ones.
TEST(AvroCodec, FieldOrderAndUnionBranchesAcrossRecords) {
  Codec c(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string", "long"]},
    {"name": "b", "type": ["null", "string"], "default": null}, {"name": "c", "type": "int", "default": 3}]})");
  EXPECT_EQ(c.round_trip(R"({"a": "x", "b": "y", "c": 1})"), R"({"a":"x","b":"y","c":1})");
  EXPECT_EQ(c.round_trip(R"({"c": 1, "b": "y", "a": "x"})"), R"({"a":"x","b":"y","c":1})");
  EXPECT_EQ(c.round_trip(R"({"a": null, "b": null})"), R"({"a":null,"b":null,"c":3})");
  EXPECT_EQ(c.round_trip(R"({"b": "z", "a": 5})"), R"({"a":5,"b":"z","c":3})");
  EXPECT_EQ(c.round_trip(R"({"a": "x"})"), R"({"a":"x","b":null,"c":3})");
  EXPECT_EQ(c.encode_error(R"({"a": "x", "a": "y"})"), "duplicate field");
  EXPECT_EQ(c.encode_error(R"({"a": "x", "b": "y", "b": "z"})"), "duplicate field");
  EXPECT_EQ(c.encode_error(R"({"a": true})"), "a: expected string, got boolean");
  EXPECT_EQ(c.encode_error(R"({"a": [1]})"), "a: a array matches no branch of union [null, string, long]");
  EXPECT_EQ(c.encode_error(R"({"a": "x", "d": 1})"), R"(field "d" is not in record R)");
  std::string one, two;
  Encoder fresh;
  ASSERT_EQ(fresh.encode(*c.schema, R"({"b": "z", "a": 5})", one), "");
  ASSERT_EQ(c.enc.encode(*c.schema, R"({"a": 5, "b": "z"})", two), "");
  EXPECT_EQ(one, two);
}

// What the decoder writes for floating-point edges encodes again to the same value
// (found by tests/fuzz/fuzz_avro: -0 read back as the integer 0, and the shortest text
// of the largest float is above it as a double).
TEST(AvroCodec, FloatEdgesRoundTrip) {
  Codec c(
      R"({"type": "record", "name": "R", "fields": [{"name": "d", "type": "double"}, {"name": "f", "type": "float"}]})");
  EXPECT_EQ(c.round_trip(R"({"d": -0.0, "f": -0.0})"), R"({"d":-0.0,"f":-0.0})");
  EXPECT_EQ(c.round_trip(R"({"d":-0.0,"f":-0.0})"), R"({"d":-0.0,"f":-0.0})");
  EXPECT_EQ(c.round_trip(R"({"d": 1e308, "f": 3.4028235e+38})"), R"({"d":1e+308,"f":3.4028235e+38})");
  EXPECT_EQ(c.round_trip(R"({"d": 0, "f": -3.4028235e38})"), R"({"d":0,"f":-3.4028235e+38})");
  EXPECT_EQ(c.encode_error(R"({"d": 0, "f": 3.4028236e38})"), "f: out of range for Avro float");
  EXPECT_EQ(c.encode_error(R"({"d": 0, "f": 1e39})"), "f: out of range for Avro float");
}

TEST(AvroCodec, ExactIntegersInAnySpelling) {
  Codec c(R"({"type": "record", "name": "R", "fields": [{"name": "n", "type": "long"}]})");
  EXPECT_EQ(c.round_trip(R"({"n": 1e3})"), R"({"n":1000})");
  EXPECT_EQ(c.round_trip(R"({"n": 2.0})"), R"({"n":2})");
}

TEST(AvroCodec, PrimitiveAndRecursiveSchemas) {
  Codec s(R"("string")");
  EXPECT_EQ(s.round_trip(R"("k\"1")"), R"("k\"1")");
  Codec list(
      R"({"type": "record", "name": "L", "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "L"]}]})");
  EXPECT_EQ(list.round_trip(R"({"v": 1, "next": {"v": 2, "next": null}})"), R"({"v":1,"next":{"v":2,"next":null}})");
}

TEST(AvroCodec, DecoderRefusesHostileBytes) {
  Codec c(
      R"({"type": "record", "name": "R", "fields": [{"name": "s", "type": "string"}, {"name": "a", "type": {"type": "array", "items": "null"}}]})");
  std::string out;
  // string length far beyond the message
  EXPECT_NE(c.dec.decode(*c.schema, std::string("\xfe\xff\xff\xff\x0f", 5), out), "");
  // trailing bytes
  EXPECT_NE(c.dec.decode(*c.schema, std::string("\x02x\x00\x00", 4), out), "");
  // a block of 2^40 nulls
  EXPECT_NE(c.dec.decode(*c.schema, std::string("\x00\x80\x80\x80\x80\x80\x20\x00", 8), out), "");
  // truncated varint
  EXPECT_NE(c.dec.decode(*c.schema, std::string("\x80", 1), out), "");
  EXPECT_EQ(out, "");
  EXPECT_EQ(c.dec.decode(*c.schema, std::string("\x02x\x04\x00", 4), out), "");
  EXPECT_EQ(out, R"({"s":"x","a":[null,null]})");
  Codec u(R"(["null", "int"])");
  EXPECT_EQ(u.dec.decode(*u.schema, std::string("\x06", 1), out), "union index 3 out of range for union [null, int]");
  Codec deep(R"({"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]})");
  EXPECT_EQ(deep.dec.decode(*deep.schema, std::string(1000, '\x02') + '\0', out), "Avro datum nested too deeply");
  Codec str(R"("string")");
  EXPECT_EQ(str.dec.decode(*str.schema, std::string("\x02\xff", 2), out), "string is not valid UTF-8");
  // Blocks of 1024 nulls, two bytes each: a small message must not become a huge JSON.
  Codec nulls(R"({"type": "array", "items": "null"})");
  std::string bomb;
  for (int i = 0; i < 64; i++) bomb += "\x80\x10";  // count 1024
  bomb += '\0';
  out.clear();
  EXPECT_EQ(nulls.dec.decode(*nulls.schema, bomb, out),
            "Avro arrays and maps hold more items than the message can encode");
  EXPECT_EQ(out, "");
  // Up to 4096 zero-width items more than the message has bytes are fine.
  EXPECT_EQ(nulls.dec.decode(*nulls.schema, std::string("\x80\x10\x80\x10\x80\x10\x80\x10\x00", 9), out),
            "");  // 4096 nulls
  EXPECT_EQ(out.size(), 2 + 4096 * 5 - 1);
}

TEST(AvroCodec, NestingIsBounded) {
  // Each level of a schema, of a JSON value being encoded and of a datum being decoded
  // is one recursion: past the bound it is an error, whatever the input's depth.
  std::string deep_schema;
  for (int i = 0; i < 300; i++) deep_schema += R"({"type": "array", "items": )";
  deep_schema += R"("int")" + std::string(300, '}');
  auto s = Schema::parse(deep_schema);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("schema nested too deeply"), std::string::npos) << s.status().message();
  std::string huge = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(Schema::parse(huge).ok());
  Codec list(R"({"type": "record", "name": "L", "fields": [{"name": "next", "type": ["null", "L"]}]})");
  std::string value;
  for (int i = 0; i < 300; i++) value += R"({"next": )";
  value += "null" + std::string(300, '}');
  EXPECT_NE(list.encode_error(value).find("nested too deeply"), std::string::npos) << list.encode_error(value);
  value.clear();
  for (int i = 0; i < 100; i++) value += R"({"next": )";
  value += "null" + std::string(100, '}');
  EXPECT_EQ(list.encode_error(value), "");
}

TEST(AvroSchema, RefusesBadSchemas) {
  EXPECT_FALSE(Schema::parse(R"({"type": "record", "name": "R"})").ok());
  EXPECT_FALSE(Schema::parse(R"({"type": "record", "name": "R", "fields": [{"name": "x", "type": "Nope"}]})").ok());
  EXPECT_FALSE(Schema::parse("not json").ok());
}

TEST(AvroFraming, HeaderRoundTrip) {
  std::string msg;
  put_frame_header(msg, 0x01020304);
  msg += "payload";
  EXPECT_EQ(msg.substr(0, 5), std::string("\0\x01\x02\x03\x04", 5));
  uint32_t id = 0;
  std::string_view payload;
  EXPECT_EQ(split_frame(msg, id, payload), "");
  EXPECT_EQ(id, 0x01020304u);
  EXPECT_EQ(payload, "payload");
  EXPECT_NE(split_frame("\x01\0\0\0\0", id, payload), "");
  EXPECT_NE(split_frame(std::string("\0\0", 2), id, payload), "");
}

}  // namespace
}  // namespace airstream::avro
