// The record grammar: the byte-by-byte reference agrees with simdjson's DOM parser on
// every line of a hostile table except numbers beyond double/int64 range, which only
// the reference accepts; RecordValidator gives the union; depth is limited, never a
// crash.
#include "common/json/record.h"

#include <gtest/gtest.h>

#include "common/json/json.h"

namespace airstream {
namespace {

std::string padded(std::string_view s) {
  std::string p(s);
  p.append(kJsonPadding, '\0');
  return p;
}

std::string validate(std::string_view s) {
  RecordValidator v;
  std::string p = padded(s);
  return v.check(std::string_view(p.data(), s.size()));
}

const char* kValid[] = {
    "{}",
    "[]",
    "0",
    "-0",
    "-0.0e+0",
    "1E5",
    "1e-5",
    "\"\"",
    "true",
    "false",
    "null",
    " {\"a\" : [1, 2.5, -3e10]} ",
    "{\"a\":{\"b\":[{},[],\"x\"]}}",
    "\"\\ud800\\udc00\"",
    "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
    "\"\\u0000\"",
    "\"h\xc3\xa9llo\"",
    "[1,\t2]",
    "{\"k\":null}",
};
const char* kInvalid[] = {
    "",
    " ",
    "[1,]",
    "{\"a\":1,}",
    "{} {}",
    "{}\r{}",
    "1 2",
    "tru",
    "nul",
    "nan",
    "NaN",
    "Infinity",
    "-Infinity",
    "fals",
    "01",
    "1.",
    "1.e5",
    "-",
    "--1",
    "1e",
    "1e+",
    "0x10",
    "+1",
    ".5",
    "[01]",
    "{\"a\"}",
    "{\"a\" 1}",
    "{1:2}",
    "[1 2]",
    "\"\\x\"",
    "\"\\ud800\"",
    "\"\\udc00\"",
    "\"\\ud800\\u0041\"",
    "\"\\u00g0\"",
    "\"a\x01\"",
    "\"\xff\"",
    "\xef\xbb\xbf{}",
    "[",
    "]",
    "{",
    "\"abc",
    "[1]]",
    "truex",
    "nullnull",
    "[true false]",
    "{\"a\":1 \"b\":2}",
    "'a'",
    "[1,,2]",
    "{,}",
    "[,1]",
};

TEST(RecordGrammar, ValidLinesAgree) {
  simdjson::dom::parser dom;
  for (const char* line : kValid) {
    EXPECT_EQ(check_json_text(line), "") << line;
    EXPECT_EQ(validate(line), "") << line;
    std::string p = padded(line);
    simdjson::dom::element e;
    EXPECT_EQ(dom.parse(p.data(), strlen(line), false).get(e), simdjson::SUCCESS) << line;
  }
}

TEST(RecordGrammar, InvalidLinesAgree) {
  for (const char* line : kInvalid) {
    EXPECT_NE(check_json_text(line), "") << line;
    EXPECT_NE(validate(line), "") << line;
  }
  EXPECT_EQ(validate("[1,]"), "invalid JSON (unclosed or malformed object/array)");
  EXPECT_EQ(check_json_text("{\"a\":tru}"), "invalid JSON (bad literal)");
  EXPECT_EQ(check_json_text("[1e400, 01]"), "invalid JSON (bad number)");
  EXPECT_EQ(validate("[1e400, 01]"), "invalid JSON (bad number)");
  EXPECT_EQ(validate("[1e400, tru]"), "invalid JSON (bad literal)");
}

TEST(RecordGrammar, AnyMagnitude) {
  for (const char* line : {"1e400", "-1e400", "1.0e-400", "18446744073709551616", "-9223372036854775809",
                           "{\"n\":123456789012345678901234567890}", "[1E+99999999999999999999]"}) {
    EXPECT_EQ(validate(line), "") << line;
    EXPECT_EQ(check_json_text(line), "") << line;
  }
}

TEST(RecordGrammar, NumberTokens) {
  for (const char* t : {"0", "-0", "1", "10", "1.5", "1e5", "1E+5", "1e-05", "-0.0", "123456789012345678901234567890"})
    EXPECT_TRUE(is_json_number(t)) << t;
  for (const char* t : {"", "-", "01", "1.", ".1", "1.e5", "1e", "--1", "+1", "0x10", "NaN", "1 ", " 1", "1e5.0"})
    EXPECT_FALSE(is_json_number(t)) << t;
}

TEST(RecordGrammar, DepthIsLimitedNotACrash) {
  for (size_t depth : {kMaxJsonDepth, kMaxJsonDepth + 1, size_t{200000}}) {
    std::string line(depth, '[');
    line.append(depth, ']');
    bool ok = depth <= kMaxJsonDepth;
    EXPECT_EQ(check_json_text(line) == "", ok) << depth;
    EXPECT_EQ(validate(line) == "", ok) << depth;
    std::string big = "[1e400," + line + "]";  // the byte-by-byte path
    EXPECT_EQ(validate(big) == "", depth < kMaxJsonDepth) << depth;
  }
  std::string objs;
  for (int i = 0; i < 100000; i++) objs += "{\"a\":";
  EXPECT_NE(validate(objs), "");
  EXPECT_NE(check_json_text(objs), "");
}

TEST(RecordGrammar, RootKeptForTheFastPath) {
  RecordValidator v;
  std::string p = padded("{\"a\":1}");
  ASSERT_EQ(v.check(std::string_view(p.data(), 7)), "");
  EXPECT_TRUE(v.has_root());
  p = padded("{\"a\":1e400}");
  ASSERT_EQ(v.check(std::string_view(p.data(), 11)), "");
  EXPECT_FALSE(v.has_root());
}

}  // namespace
}  // namespace airstream
