// Tests of the transform expression parser: accepted syntax, canonical printing and
// error messages for bad expressions.
#include "common/transform/expr.h"

#include <gtest/gtest.h>

namespace airstream::transform {
namespace {

std::string canon(const std::string& text) {
  Program p;
  auto r = parse_expr(p, text);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return to_text(p, *r);
}

TEST(ExprTest, Paths) {
  EXPECT_EQ(canon(".login.uuid"), ".login.uuid");
  EXPECT_EQ(canon("login.uuid"), ".login.uuid");
  EXPECT_EQ(canon(".results[0].name"), ".results[0].name");
  EXPECT_EQ(canon(".results.0.name"), ".results[0].name");
  EXPECT_EQ(canon(".[\"odd key\"].x"), ".\"odd key\".x");
  EXPECT_EQ(canon(".\"a.b\""), ".\"a.b\"");
  EXPECT_EQ(canon("."), ".");
}

TEST(ExprTest, LiteralsAndTemplates) {
  EXPECT_EQ(canon("\"plain\""), "\"plain\"");
  EXPECT_EQ(canon("42"), "42");
  EXPECT_EQ(canon("-1.5e3"), "-1.5e3");
  EXPECT_EQ(canon("true"), "true");
  EXPECT_EQ(canon("null"), "null");
  EXPECT_EQ(canon("\"{.a} and {b.c}\""), "\"{.a} and {.b.c}\"");
  EXPECT_EQ(canon("\"{{literal}}\""), "\"{{literal}}\"");
  EXPECT_EQ(canon("\"{.a // \"?\"}\""), "\"{(.a // \"?\")}\"");  // placeholders hold plain expressions
  EXPECT_EQ(canon("\"caf\\u00e9\""), "\"caf\xc3\xa9\"");
}

TEST(ExprTest, PipesCallsAndOperators) {
  EXPECT_EQ(canon(".a | lower | trim"), "((.a | lower) | trim)");
  EXPECT_EQ(canon("lower(.a)"), "(.a | lower)");
  EXPECT_EQ(canon(".a | default(\"x\")"), "(.a | default(\"x\"))");
  EXPECT_EQ(canon("uuid5(.a; .b)"), "(.a | uuid5(.b))");
  EXPECT_EQ(canon("uuid5(.a, .b)"), "(.a | uuid5(.b))");
  EXPECT_EQ(canon(".a // .b // 1"), "(.a // (.b // 1))");
  EXPECT_EQ(canon(".a == 1 and .b != \"x\" or not .c"), "(((.a == 1) and (.b != \"x\")) or (.c | not))");
  EXPECT_EQ(canon(".n >= 3"), "(.n >= 3)");
  EXPECT_EQ(canon(".s | startswith(\"ab\")"), "(.s | startswith(\"ab\"))");
  EXPECT_EQ(canon("(.a // .b) | string"), "((.a // .b) | string)");
  EXPECT_EQ(canon(".a | tostring"), "(.a | string)");
}

TEST(ExprTest, Errors) {
  EXPECT_NE(canon(".a |").find("expected a function name"), std::string::npos);
  EXPECT_NE(canon(".a | nosuch").find("unknown function 'nosuch'"), std::string::npos);
  EXPECT_NE(canon("default(.a)").find("default takes 2 argument(s)"), std::string::npos);
  EXPECT_NE(canon("\"abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(canon("\"{.a\"").find("expected '}'"), std::string::npos);
  EXPECT_NE(canon("\"a}b\"").find("single '}'"), std::string::npos);
  EXPECT_NE(canon(".a ==").find("expected an expression"), std::string::npos);
  EXPECT_NE(canon(".a .b").find("unexpected '.'"), std::string::npos);
  EXPECT_NE(canon(".a.").find("expected a field name"), std::string::npos);
  EXPECT_NE(canon("(.a").find("expected ')'"), std::string::npos);
  EXPECT_NE(canon("\"\\ud800\"").find("surrogate"), std::string::npos);
  EXPECT_NE(canon(".a[99999999999]").find("too large"), std::string::npos);
}

TEST(ExprTest, NestingIsBoundedNotACrash) {
  const size_t n = 100000;
  EXPECT_NE(canon(std::string(n, '(') + ".a" + std::string(n, ')')).find("nested too deeply"), std::string::npos);
  std::string nots;
  for (size_t i = 0; i < n; i++) nots += "not ";
  EXPECT_NE(canon(nots + ".a").find("nested too deeply"), std::string::npos);
  std::string alts = ".a";
  for (size_t i = 0; i < n; i++) alts += " // .a";
  EXPECT_NE(canon(alts).find("nested too deeply"), std::string::npos);
  std::string ors = ".a";
  for (size_t i = 0; i < n; i++) ors += " or .a";
  EXPECT_NE(canon(ors).find("expression too long"), std::string::npos);
  EXPECT_EQ(canon(std::string(50, '(') + ".a" + std::string(50, ')')), ".a");
}

}  // namespace
}  // namespace airstream::transform
