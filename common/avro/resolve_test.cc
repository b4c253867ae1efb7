// Tests of Avro schema resolution: data written with one schema read as another
// (a field added with a default, removed, renamed through an alias, reordered;
// promotions; enums; unions), the refusals when a plan is made (no default, types
// that do not promote, decimal scales) and per message (an enum symbol or a number
// the reader cannot take), with their field paths.
#include "common/avro/resolve.h"

#include <gtest/gtest.h>

#include "common/avro/codec.h"

namespace airstream::avro {
namespace {

std::shared_ptr<const Schema> parse(const std::string& text) {
  auto s = Schema::parse(text);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

std::string rec(const std::string& fields, const std::string& name = "R") {
  return R"({"type": "record", "name": ")" + name + R"(", "namespace": "t", "fields": [)" + fields + "]}";
}

// Encodes json with writer, decodes it as reader: the JSON, or "refused: reason".
std::string resolve(const std::string& writer, const std::string& reader, const std::string& json,
                    UnionStyle style = UnionStyle::kPlain) {
  auto w = parse(writer), r = parse(reader);
  if (!w || !r) return "bad schema";
  Encoder enc;
  std::string bin, out;
  std::string e = enc.encode(*w, json, bin);
  if (!e.empty()) return "encode: " + e;
  auto res = Resolution::make(w, r);
  if (!res.ok()) return "plan: " + res.status().message();
  Decoder dec;
  e = dec.decode(**res, bin, out, style);
  return e.empty() ? out : "refused: " + e;
}

const std::string kV1 = rec(R"({"name": "id", "type": "long"}, {"name": "name", "type": "string"})");

TEST(AvroResolve, AddedFieldTakesItsDefault) {
  std::string v2 = rec(R"({"name": "id", "type": "long"}, {"name": "name", "type": "string"},
    {"name": "country", "type": "string", "default": "unknown"},
    {"name": "age", "type": ["null", "int"], "default": null},
    {"name": "since", "type": {"type": "int", "logicalType": "date"}, "default": 365},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}, "default": "\u0001\u0001"},
    {"name": "tags", "type": {"type": "array", "items": "string"}, "default": ["a"]},
    {"name": "nick", "type": ["string", "null"], "default": "x"})");
  EXPECT_EQ(resolve(kV1, v2, R"({"id": 7, "name": "Ann"})"),
            R"({"id":7,"name":"Ann","country":"unknown","age":null,"since":"1971-01-01","price":"2.57","tags":["a"],)"
            R"("nick":"x"})");
  EXPECT_EQ(resolve(kV1, v2, R"({"id": 7, "name": "Ann"})", UnionStyle::kTagged),
            R"({"id":7,"name":"Ann","country":"unknown","age":null,"since":"1971-01-01","price":"2.57","tags":["a"],)"
            R"("nick":{"string":"x"}})");
}

TEST(AvroResolve, RemovedReorderedAndAliasedFields) {
  std::string w = rec(R"({"name": "a", "type": "int"}, {"name": "gone", "type": {"type": "array", "items": "string"}},
    {"name": "old", "type": "string"}, {"name": "b", "type": "boolean"})");
  std::string r = rec(R"({"name": "b", "type": "boolean"}, {"name": "new", "aliases": ["old"], "type": "string"},
    {"name": "a", "type": "int"})");
  EXPECT_EQ(resolve(w, r, R"({"a": 1, "gone": ["x", "y"], "old": "o", "b": true})"), R"({"b":true,"new":"o","a":1})");
}

TEST(AvroResolve, Promotions) {
  std::string w = rec(R"({"i": 0, "name": "i", "type": "int"}, {"name": "l", "type": "long"},
    {"name": "f", "type": "float"}, {"name": "s", "type": "string"}, {"name": "b", "type": "bytes"})");
  std::string r = rec(R"({"name": "i", "type": "double"}, {"name": "l", "type": "double"},
    {"name": "f", "type": "double"}, {"name": "s", "type": "bytes"}, {"name": "b", "type": "string"})");
  EXPECT_EQ(resolve(w, r, R"({"i": -5, "l": 9007199254740992, "f": 0.5, "s": "é", "b": "ok"})"),
            R"({"i":-5,"l":9007199254740992,"f":0.5,"s":"Ã©","b":"ok"})");
  // A long a double cannot hold exactly is refused, not rounded.
  EXPECT_EQ(resolve(w, r, R"({"i": 1, "l": 9007199254740993, "f": 0.5, "s": "", "b": ""})"),
            "refused: field l: the writer's long 9007199254740993 cannot be read exactly as double");
  // Bytes that are not UTF-8 cannot become a string.
  EXPECT_EQ(resolve(w, r, R"({"i": 1, "l": 1, "f": 0.5, "s": "", "b": "\u00ff"})"),
            "refused: field b: the writer's bytes are not valid UTF-8: they cannot be read as a string");
}

TEST(AvroResolve, Enums) {
  auto e = [](const std::string& syms, const std::string& def) {
    return rec(R"({"name": "c", "type": {"type": "enum", "name": "Color", "symbols": [)" + syms + "]" + def + "}}");
  };
  std::string w = e(R"("red", "green", "blue")", "");
  EXPECT_EQ(resolve(w, e(R"("blue", "red")", ""), R"({"c": "red"})"), R"({"c":"red"})");
  EXPECT_EQ(
      resolve(w, e(R"("blue", "red")", ""), R"({"c": "green"})"),
      R"(refused: field c: the writer's symbol "green" is not in the reader's enum t.Color (which gives no default))");
  EXPECT_EQ(resolve(w, e(R"("other", "red")", R"(, "default": "other")"), R"({"c": "green"})"), R"({"c":"other"})");
}

TEST(AvroResolve, Unions) {
  std::string w = rec(R"({"name": "u", "type": ["null", "int", "string"]})");
  std::string r = rec(R"({"name": "u", "type": ["null", "string", "long"]})");
  EXPECT_EQ(resolve(w, r, R"({"u": 5})", UnionStyle::kTagged), R"({"u":{"long":5}})");
  EXPECT_EQ(resolve(w, r, R"({"u": "x"})", UnionStyle::kTagged), R"({"u":{"string":"x"}})");
  EXPECT_EQ(resolve(w, r, R"({"u": null})"), R"({"u":null})");
  // A writer branch the reader lacks refuses only the messages that use it.
  std::string narrow = rec(R"({"name": "u", "type": ["null", "string"]})");
  EXPECT_EQ(resolve(w, narrow, R"({"u": "x"})"), R"({"u":"x"})");
  EXPECT_EQ(resolve(w, narrow, R"({"u": 5})"),
            "refused: field u: the writer's int matches no branch of the reader's union [null, string]");
  // A plain value read as a union, and a union read as a plain value.
  EXPECT_EQ(resolve(rec(R"({"name": "u", "type": "int"})"), rec(R"({"name": "u", "type": ["null", "long"]})"),
                    R"({"u": 3})", UnionStyle::kTagged),
            R"({"u":{"long":3}})");
  EXPECT_EQ(resolve(narrow, rec(R"({"name": "u", "type": "string"})"), R"({"u": "s"})"), R"({"u":"s"})");
  EXPECT_EQ(resolve(narrow, rec(R"({"name": "u", "type": "string"})"), R"({"u": null})"),
            "refused: field u: the writer's null cannot be read as string");
}

TEST(AvroResolve, NestedAndRecursiveRecords) {
  std::string w = rec(R"({"name": "v", "type": "int"}, {"name": "next", "type": ["null", "R"]})");
  std::string r = rec(R"({"name": "v", "type": "long"}, {"name": "next", "type": ["null", "R"]},
    {"name": "tag", "type": "string", "default": "t"})");
  EXPECT_EQ(resolve(w, r, R"({"v": 1, "next": {"v": 2, "next": null}})"),
            R"({"v":1,"next":{"v":2,"next":null,"tag":"t"},"tag":"t"})");
}

TEST(AvroResolve, RefusedWhenThePlanIsMade) {
  EXPECT_EQ(resolve(kV1, rec(R"({"name": "id", "type": "long"}, {"name": "zip", "type": "int"})"),
                    R"({"id": 1, "name": "x"})"),
            "plan: field zip: not in the writer's schema, and the reader's gives no default");
  EXPECT_EQ(resolve(kV1, rec(R"({"name": "id", "type": "int"})"), R"({"id": 1, "name": "x"})"),
            "plan: field id: the writer's long cannot be read as int");
  EXPECT_EQ(resolve(kV1, rec(R"({"name": "id", "type": "long"})", "Other"), R"({"id": 1, "name": "x"})"),
            "plan: the writer's record t.R cannot be read as record t.Other");
  auto dec = [](int scale) {
    return rec(R"({"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": )" +
               std::to_string(scale) + "}}");
  };
  EXPECT_EQ(resolve(dec(2), dec(3), R"({"d": "1.25"})"),
            "plan: field d: the writer's decimal of scale 2 cannot be read with scale 3");
  auto ts = [](const char* lt) {
    return rec(R"({"name": "t", "type": {"type": "long", "logicalType": ")" + std::string(lt) + "\"}}");
  };
  EXPECT_EQ(resolve(ts("timestamp-millis"), ts("timestamp-micros"), R"({"t": 5})"),
            "plan: field t: the writer's timestamp-millis cannot be read as timestamp-micros");
  // A default that does not fit its type.
  EXPECT_EQ(resolve(kV1, rec(R"({"name": "id", "type": "long"}, {"name": "n", "type": "int", "default": "x"})"),
                    R"({"id": 1, "name": "x"})"),
            "plan: field n: its default does not fit its type: expected int, got string");
}

}  // namespace
}  // namespace airstream::avro
