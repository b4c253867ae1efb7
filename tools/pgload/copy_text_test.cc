// Unit tests: COPY text escaping, value syntax checks, identifier quoting and table
// name parsing, type inference lattice.
#include <gtest/gtest.h>

#include "copy_text.h"
#include "infer.h"
#include "table.h"

namespace airstream::pgload {
namespace {

std::string esc(std::string_view s) {
  std::string out;
  append_copy_escaped(out, s);
  return out;
}

TEST(CopyEscape, SpecialCharacters) {
  EXPECT_EQ(esc("plain"), "plain");
  EXPECT_EQ(esc("a\tb"), "a\\tb");
  EXPECT_EQ(esc("a\nb"), "a\\nb");
  EXPECT_EQ(esc("a\rb"), "a\\rb");
  EXPECT_EQ(esc("a\\b"), "a\\\\b");
  EXPECT_EQ(esc("\\N"), "\\\\N");  // the literal string \N is not NULL
  EXPECT_EQ(esc("\t\n\r\\"), "\\t\\n\\r\\\\");
  EXPECT_EQ(esc(""), "");
  EXPECT_EQ(esc("é\x01"), "é\x01");
}

TEST(Uuid, Forms) {
  EXPECT_TRUE(is_uuid("0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6a"));
  EXPECT_TRUE(is_uuid("0B6E6A6E-2B3C-4C7E-9F3A-1F2E3D4C5B6A"));
  EXPECT_TRUE(is_uuid("{0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6a}"));
  EXPECT_TRUE(is_uuid("0b6e6a6e2b3c4c7e9f3a1f2e3d4c5b6a"));
  EXPECT_FALSE(is_uuid("0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6"));
  EXPECT_FALSE(is_uuid("0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6g"));
  EXPECT_FALSE(is_uuid("0b6e6a6e+2b3c-4c7e-9f3a-1f2e3d4c5b6a"));
  EXPECT_FALSE(is_uuid(""));
}

TEST(Integers, ParseAndRange) {
  int64_t v = 0;
  EXPECT_TRUE(parse_int64("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(parse_int64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(parse_int64("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_FALSE(parse_int64("9223372036854775808", v));
  EXPECT_FALSE(parse_int64("1.5", v));
  EXPECT_FALSE(parse_int64("", v));
  EXPECT_FALSE(parse_int64("-", v));
  EXPECT_FALSE(parse_int64("12a", v));
  EXPECT_TRUE(int_fits(ColKind::kInt16, 32767));
  EXPECT_FALSE(int_fits(ColKind::kInt16, 32768));
  EXPECT_FALSE(int_fits(ColKind::kInt32, int64_t{1} << 31));
  EXPECT_TRUE(int_fits(ColKind::kInt32, -(int64_t{1} << 31)));
}

TEST(Numbers, Text) {
  EXPECT_TRUE(is_number_text("1"));
  EXPECT_TRUE(is_number_text("-1.5e-3"));
  EXPECT_TRUE(is_number_text(".5"));
  EXPECT_TRUE(is_number_text("NaN"));
  EXPECT_TRUE(is_number_text("-Infinity"));
  EXPECT_TRUE(is_number_text("-inf"));
  EXPECT_TRUE(is_number_text("INF"));
  EXPECT_FALSE(is_number_text("infin"));
  EXPECT_FALSE(is_number_text("1e"));
  EXPECT_FALSE(is_number_text("abc"));
  EXPECT_FALSE(is_number_text(""));
  EXPECT_FALSE(is_number_text("1.2.3"));
}

TEST(Bools, Text) {
  bool b = false;
  EXPECT_TRUE(parse_bool_text("TRUE", b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(parse_bool_text("off", b));
  EXPECT_FALSE(b);
  EXPECT_FALSE(parse_bool_text("maybe", b));
}

TEST(Timestamps, Iso8601) {
  EXPECT_TRUE(is_iso8601_timestamp("1993-07-20T09:44:18.674Z"));
  EXPECT_TRUE(is_iso8601_timestamp("2024-01-02 03:04:05+01:00"));
  EXPECT_TRUE(is_iso8601_timestamp("2024-01-02T03:04"));
  EXPECT_TRUE(is_iso8601_timestamp("2024-01-02T03:04:05-0500"));
  EXPECT_FALSE(is_iso8601_timestamp("2024-01-02"));
  EXPECT_FALSE(is_iso8601_timestamp("yesterday"));
  EXPECT_FALSE(is_iso8601_timestamp("2024-01-02T03:04:05Zx"));
}

TEST(JsonNul, Escapes) {
  EXPECT_TRUE(json_has_nul_escape(R"({"a":"x\u0000"})"));
  EXPECT_FALSE(json_has_nul_escape(R"({"a":"x\\u0000"})"));
  EXPECT_TRUE(json_has_nul_escape(R"({"a":"x\\\u0000"})"));
  EXPECT_FALSE(json_has_nul_escape(R"({"a":"u0000"})"));
}

TEST(Identifiers, Quoting) {
  EXPECT_EQ(quote_ident("users"), "\"users\"");
  EXPECT_EQ(quote_ident("a\"; drop table x; --"), "\"a\"\"; drop table x; --\"");
  EXPECT_EQ(column_list({"a", "B c"}), "\"a\", \"B c\"");
}

TEST(Identifiers, TableNames) {
  auto t = parse_table_name("Users");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->schema, "");
  EXPECT_EQ(t->table, "users");
  t = parse_table_name("app.Created_Users");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->schema, "app");
  EXPECT_EQ(t->table, "created_users");
  EXPECT_EQ(t->quoted(), "\"app\".\"created_users\"");
  t = parse_table_name("\"My.Schema\".\"Ta\"\"ble\"");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->schema, "My.Schema");
  EXPECT_EQ(t->table, "Ta\"ble");
  EXPECT_FALSE(parse_table_name("a.b.c").ok());
  EXPECT_FALSE(parse_table_name("").ok());
  EXPECT_FALSE(parse_table_name("\"open").ok());
  EXPECT_FALSE(parse_table_name("a.").ok());
}

TEST(Inference, Lattice) {
  EXPECT_EQ(merge_kinds(ColKind::kOther, ColKind::kUuid), ColKind::kUuid);
  EXPECT_EQ(merge_kinds(ColKind::kInt64, ColKind::kFloat), ColKind::kFloat);
  EXPECT_EQ(merge_kinds(ColKind::kUuid, ColKind::kText), ColKind::kText);
  EXPECT_EQ(merge_kinds(ColKind::kBool, ColKind::kInt64), ColKind::kText);
  EXPECT_EQ(merge_kinds(ColKind::kJsonb, ColKind::kText), ColKind::kJsonb);
  EXPECT_EQ(merge_kinds(ColKind::kTimestamp, ColKind::kTimestamp), ColKind::kTimestamp);
}

std::string padded(std::string s) {
  return s + std::string(64, '\0');
}

TEST(Inference, Records) {
  SchemaInference inf(std::vector<std::pair<std::string, std::string>>{{"uid", "login.uuid"}});
  for (std::string rec :
       {R"({"n":1,"x":1,"b":true,"t":"2024-01-02T03:04:05Z","s":"x","o":{"a":1},"z":null,)"
        R"("login":{"uuid":"0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6a"}})",
        R"({"n":2,"x":2.5,"b":false,"t":"2024-01-02T03:04:05.1+01:00","s":"y","o":[1],"new":"a"})", R"(not json)"}) {
    std::string p = padded(rec);
    inf.observe(std::string_view(p).substr(0, rec.size()));
  }
  auto cols = inf.columns();
  std::vector<std::pair<std::string, ColKind>> want = {
      {"uid", ColKind::kUuid}, {"n", ColKind::kInt64},     {"x", ColKind::kFloat},
      {"b", ColKind::kBool},   {"t", ColKind::kTimestamp}, {"s", ColKind::kText},
      {"o", ColKind::kJsonb},  {"z", ColKind::kText},      {"new", ColKind::kText}};
  EXPECT_EQ(cols, want);
  EXPECT_EQ(column_defs_sql({{"id", ColKind::kUuid}, {"n", ColKind::kInt64}}, {"id"}),
            "\"id\" uuid, \"n\" bigint, PRIMARY KEY (\"id\")");
}

}  // namespace
}  // namespace airstream::pgload
