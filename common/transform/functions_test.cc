// Tests of the transform built-in functions and the conversions behind them, with
// reference values computed independently (Python's uuid and datetime modules).
#include "common/transform/functions.h"

#include <gtest/gtest.h>

#include "common/uuid.h"

namespace airstream::transform {
namespace {

struct Call {
  Arena arena;
  std::string err;
  // Returns the result as "type:text" or "ERR:message".
  std::string operator()(Fn fn, std::vector<Val> args) {
    Val out;
    err.clear();
    if (!apply_function(fn, args.data(), static_cast<int>(args.size()), arena, out, err)) return "ERR:" + err;
    if (out.type == Type::kBool) return std::string("boolean:") + (out.boolean ? "true" : "false");
    return std::string(type_name(out.type)) + ":" + std::string(out.text);
  }
};

Val obj(std::string_view raw) {
  return Val{Type::kObject, false, raw, {}};
}

TEST(FunctionsTest, Iso8601) {
  int64_t ms = 0;
  ASSERT_TRUE(parse_iso8601("2014-08-30T05:19:44.274Z", ms));
  EXPECT_EQ(ms, 1409375984274);
  ASSERT_TRUE(parse_iso8601("1958-06-23T03:40:17.665Z", ms));
  EXPECT_EQ(ms, -363730782335);
  ASSERT_TRUE(parse_iso8601("1970-01-01", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(parse_iso8601("1970-01-01T02:00:00+02:00", ms));
  EXPECT_EQ(ms, 0);
  ASSERT_TRUE(parse_iso8601("1970-01-01 00:00:01-0130", ms));
  EXPECT_EQ(ms, 5401000);
  ASSERT_TRUE(parse_iso8601("2000-02-29T00:00Z", ms));
  EXPECT_EQ(ms, 951782400000);
  EXPECT_FALSE(parse_iso8601("2001-02-29", ms));
  EXPECT_FALSE(parse_iso8601("2001-13-01", ms));
  EXPECT_FALSE(parse_iso8601("1970-01-01T02:00:00+02:", ms));  // no minutes after the colon
  EXPECT_FALSE(parse_iso8601("2001-01-01T25:00:00Z", ms));
  EXPECT_FALSE(parse_iso8601("2001-01-01T10:00:00Q", ms));
  EXPECT_FALSE(parse_iso8601("yesterday", ms));
  EXPECT_FALSE(parse_iso8601("2001-01-01T", ms));
  char d[10];
  format_date(-363730782335, d);
  EXPECT_EQ(std::string(d, 10), "1958-06-23");
  format_date(-1, d);
  EXPECT_EQ(std::string(d, 10), "1969-12-31");
}

TEST(FunctionsTest, Uuid) {
  unsigned char ns[16];
  ASSERT_TRUE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", ns));  // NAMESPACE_DNS
  char out[36];
  uuid5(ns, "python.org", out);
  EXPECT_EQ(std::string(out, 36), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg", ns));
  EXPECT_FALSE(parse_uuid("6ba7b8109dad-11d1-80b4-00c04fd430c8a", ns));
  Call call;
  EXPECT_EQ(call(Fn::kUuid5, {Val::string("angryostrich988")}), "string:72591f8a-6871-58a1-99cb-bd599ff2929a");
  EXPECT_EQ(call(Fn::kUuid5, {Val::string("a"), Val::number("1"), Val::of_bool(true)}),
            "string:61a2834e-882b-550a-ade0-9c4b7d8ac549");
  EXPECT_EQ(call(Fn::kUuid5, {Val::string("a"), Val::null()}), "missing:");
  EXPECT_EQ(call(Fn::kUuid, {Val::string("4BBBF423-B3DD-409F-B35B-53957FC1B362")}),
            "string:4bbbf423-b3dd-409f-b35b-53957fc1b362");
  EXPECT_EQ(call(Fn::kUuid, {Val::string("nope")}), "ERR:not a UUID: \"nope\"");
}

TEST(FunctionsTest, Conversions) {
  Call call;
  EXPECT_EQ(call(Fn::kString, {Val::number("32158")}), "string:32158");
  EXPECT_EQ(call(Fn::kString, {Val::string("P6I 1Z5")}), "string:P6I 1Z5");
  EXPECT_EQ(call(Fn::kString, {Val::of_bool(false)}), "string:false");
  EXPECT_EQ(call(Fn::kString, {Val::null()}), "null:");
  EXPECT_EQ(call(Fn::kString, {Val::missing()}), "missing:");
  EXPECT_EQ(call(Fn::kString, {obj("{\"a\":1}")}), "ERR:expected string or number, got object");
  EXPECT_EQ(call(Fn::kToJson, {obj("{\"a\":1}")}), "string:{\"a\":1}");
  EXPECT_EQ(call(Fn::kToJson, {Val::string("a\"b")}), "string:\"a\\\"b\"");
  EXPECT_EQ(call(Fn::kInt, {Val::number("42")}), "number:42");
  EXPECT_EQ(call(Fn::kInt, {Val::number("-7.9")}), "number:-7");
  EXPECT_EQ(call(Fn::kInt, {Val::string("0278")}), "number:278");
  EXPECT_EQ(call(Fn::kInt, {Val::string(" 12 ")}), "number:12");
  EXPECT_EQ(call(Fn::kInt, {Val::string("1e3")}), "number:1000");
  EXPECT_EQ(call(Fn::kInt, {Val::string("abc")}), "ERR:expected number or numeric string, got string \"abc\"");
  EXPECT_EQ(call(Fn::kInt, {Val::string("1e300")}), "ERR:integer out of range: 1e300");
  EXPECT_EQ(call(Fn::kInt, {Val::of_bool(true)}), "ERR:expected number or numeric string, got boolean");
  EXPECT_EQ(call(Fn::kFloat, {Val::string("2.50")}), "number:2.5");
  EXPECT_EQ(call(Fn::kFloat, {Val::string("nan")}), "ERR:expected number or numeric string, got string \"nan\"");
  EXPECT_EQ(call(Fn::kFloat, {Val::number("1e2")}), "number:1e2");
}

TEST(FunctionsTest, TextAndDates) {
  Call call;
  EXPECT_EQ(call(Fn::kLower, {Val::string("MiXeD É")}), "string:mixed É");
  EXPECT_EQ(call(Fn::kUpper, {Val::string("abc")}), "string:ABC");
  EXPECT_EQ(call(Fn::kTrim, {Val::string(" \tRua São Francisco \n")}), "string:Rua São Francisco");
  EXPECT_EQ(call(Fn::kLower, {Val::number("1")}), "ERR:expected string, got number");
  EXPECT_EQ(call(Fn::kDefault, {Val::missing(), Val::string("n/a")}), "string:n/a");
  EXPECT_EQ(call(Fn::kDefault, {Val::null(), Val::string("n/a")}), "string:n/a");
  EXPECT_EQ(call(Fn::kDefault, {Val::string(""), Val::string("n/a")}), "string:");
  EXPECT_EQ(call(Fn::kDate, {Val::string("1958-06-23T03:40:17.665Z")}), "string:1958-06-23");
  EXPECT_EQ(call(Fn::kEpochMs, {Val::string("2014-08-30T05:19:44.274Z")}), "number:1409375984274");
  EXPECT_EQ(call(Fn::kDate, {Val::string("soon")}), "ERR:not an ISO-8601 date/time: \"soon\"");
  EXPECT_EQ(call(Fn::kDate, {Val::number("5")}), "ERR:expected ISO-8601 date/time string, got number");
}

TEST(FunctionsTest, Predicates) {
  Call call;
  EXPECT_EQ(call(Fn::kStartsWith, {Val::string("abc"), Val::string("ab")}), "boolean:true");
  EXPECT_EQ(call(Fn::kEndsWith, {Val::string("abc"), Val::string("ab")}), "boolean:false");
  EXPECT_EQ(call(Fn::kContains, {Val::string("abc"), Val::string("b")}), "boolean:true");
  EXPECT_EQ(call(Fn::kContains, {Val::missing(), Val::string("b")}), "boolean:false");
  EXPECT_EQ(call(Fn::kNot, {Val::null()}), "boolean:true");
  EXPECT_EQ(call(Fn::kNot, {Val::number("0")}), "boolean:false");
  EXPECT_LT(compare_values(Val::null(), Val::of_bool(false)), 0);
  EXPECT_LT(compare_values(Val::number("9"), Val::number("10")), 0);
  EXPECT_LT(compare_values(Val::number("10"), Val::string("1")), 0);
  EXPECT_TRUE(values_equal(Val::number("1.0"), Val::number("1")));
  EXPECT_TRUE(values_equal(Val::missing(), Val::null()));
  EXPECT_FALSE(values_equal(Val::string("1"), Val::number("1")));
}

}  // namespace
}  // namespace airstream::transform
