// JSON helpers: escaping round-trips through simdjson, UTF-8 validation, base64,
// dotted paths, full validation.
#include "common/json/json.h"

#include <gtest/gtest.h>

namespace airstream {
namespace {

std::string unescape_via_simdjson(const std::string& literal) {
  JsonParser p;
  std::string_view out;
  auto doc = p.parse_copy(literal);
  EXPECT_EQ(doc.get_string().get(out), simdjson::SUCCESS) << literal;
  return std::string(out);
}

TEST(Json, EscapeRoundTrips) {
  const std::string cases[] = {"",         "plain", "quote\" back\\slash", "tab\tnl\ncr\r", std::string("nul\0x", 5),
                               "\x01\x1f", "ü ß 𝄞", "خرم\u200cآباد",       "O’Connor",      "</script>"};
  for (const auto& c : cases) EXPECT_EQ(unescape_via_simdjson(json_string(c)), c);
  EXPECT_EQ(json_string("a\"b\n\x01"), "\"a\\\"b\\n\\u0001\"");
}

TEST(Json, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("héllo"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST(Json, Base64) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string bin("\x00\xff\x10\x80", 4), out;
  ASSERT_TRUE(base64_decode(base64_encode(bin), out));
  EXPECT_EQ(out, bin);
  EXPECT_FALSE(base64_decode("Zm9v!", out));
}

TEST(Json, FindPath) {
  JsonParser p;
  std::string text = R"({"login":{"uuid":"u-1","x":[10,20,{"y":"z"}]},"name":{"first":"A"}})";
  auto doc = p.parse_copy(text);
  std::string_view s;
  ASSERT_EQ(find_path(doc, "login.uuid").get_string().get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "u-1");
  doc = p.parse_copy(text);
  ASSERT_EQ(find_path(doc, "login.x.2.y").get_string().get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "z");
  doc = p.parse_copy(text);
  EXPECT_EQ(find_path(doc, "login.missing").error(), simdjson::NO_SUCH_FIELD);
  doc = p.parse_copy(text);
  EXPECT_NE(find_path(doc, "name.first.deeper").error(), simdjson::SUCCESS);
}

TEST(Json, ValidateRejectsTrailingContentAndBadJson) {
  JsonParser p;
  auto check = [&](std::string s) {
    size_t n = s.size();
    s.resize(n + kJsonPadding);
    return p.validate_padded(std::string_view(s.data(), n));
  };
  EXPECT_EQ(check(R"({"a":[1,2,{"b":null}]})"), simdjson::SUCCESS);
  EXPECT_EQ(check("42"), simdjson::SUCCESS);
  EXPECT_NE(check(R"({"a":1} x)"), simdjson::SUCCESS);
  EXPECT_NE(check(R"({"a":1)"), simdjson::SUCCESS);
  EXPECT_NE(check("{'a':1}"), simdjson::SUCCESS);
  EXPECT_NE(check("not json"), simdjson::SUCCESS);
  EXPECT_FALSE(json_error_message(simdjson::TAPE_ERROR).empty());
}

}  // namespace
}  // namespace airstream
