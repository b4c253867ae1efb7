// Unit tests for page parsing (whole-body validation, raw user extraction) and
// compaction (strings byte for byte, escapes untouched).
#include "page.h"

#include <gtest/gtest.h>

#include "common/synthetic.h"

namespace airstream::rufetch {
namespace {

struct Padded {
  std::string buf;
  explicit Padded(std::string_view s) : buf(s) { buf.append(kJsonPadding, '\0'); }
  std::string_view view() const { return std::string_view(buf.data(), buf.size() - kJsonPadding); }
};

PageError parse(std::string_view body, Page& page, std::string& detail) {
  static JsonParser parser;
  static Padded* keep = nullptr;
  delete keep;
  keep = new Padded(body);
  return parse_page(parser, keep->view(), page, detail);
}

std::string compact(std::string_view s) {
  std::string out = "prefix:";
  append_compact(out, s);
  return out.substr(7);
}

TEST(RufetchCompact, DropsWhitespaceBetweenTokensOnly) {
  EXPECT_EQ(compact("{ \"a\" :\n\t[ 1 ,\r\n 2 ] }"), "{\"a\":[1,2]}");
  EXPECT_EQ(compact("{\"s\": \"two  spaces \\n and\\ttab \"}"), "{\"s\":\"two  spaces \\n and\\ttab \"}");
}

TEST(RufetchCompact, KeepsEscapesAndQuotesInsideStrings) {
  EXPECT_EQ(compact("{\"q\" : \"say \\\"hi\\\" { } \\\\\" , \"u\" : \"\\u00e9 é\"}"),
            "{\"q\":\"say \\\"hi\\\" { } \\\\\",\"u\":\"\\u00e9 é\"}");
}

TEST(RufetchCompact, RunsOfBackslashesBeforeQuotes) {
  EXPECT_EQ(compact(R"({"a" : "x\\\"y \\" , "b" : "\\\\" , "c" : 1})"), R"({"a":"x\\\"y \\","b":"\\\\","c":1})");
  EXPECT_EQ(compact(R"(["", " ", "\"" , 2])"), R"([""," ","\"",2])");
}

// Pretty-prints users with a byte-level state machine and checks that compaction
// gives back what simdjson::minify gives (and the original compact user).
TEST(RufetchCompact, MatchesSimdjsonMinifyOnPrettyUsers) {
  SyntheticUsers users(7);
  for (uint64_t i = 0; i < 300; ++i) {
    std::string plain;
    users.append_user(plain, i);
    // a member whose string holds an escaped quote, a comma and an escaped backslash
    std::string user = R"({"q": "say \"a, b\" \\",)";
    user += "\n ";
    user.append(plain, 1);
    std::string expected_user = R"({"q":"say \"a, b\" \\",)";
    expected_user.append(plain, 1);
    std::string pretty;
    bool in_string = false;
    for (size_t k = 0; k < user.size(); ++k) {
      char c = user[k];
      pretty += c;
      if (in_string) {
        if (c == '\\')
          pretty += user[++k];
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == ',' || c == '{' || c == '[') {
        pretty += "\r\n\t  ";
      } else if (c == ':') {
        pretty += ' ';
      }
    }
    std::string minified(pretty.size(), '\0');
    size_t len = 0;
    ASSERT_EQ(simdjson::minify(pretty.data(), pretty.size(), minified.data(), len), simdjson::SUCCESS);
    minified.resize(len);
    std::string got = compact(pretty);
    ASSERT_EQ(got, minified) << pretty;
    ASSERT_EQ(got, expected_user);
  }
}

TEST(RufetchCompact, CompactInputIsUnchanged) {
  std::string s = "{\"name\":{\"first\":\"Åse\",\"last\":\"O’Neill\"},\"id\":{\"name\":\"\",\"value\":null}}";
  EXPECT_EQ(compact(s), s);
}

TEST(RufetchParsePage, ExtractsUsersAndInfo) {
  Page page;
  std::string detail;
  ASSERT_EQ(parse("{\"results\":[ {\"a\": 1} , {\"b\":\"x y\"} ],\"info\":{\"seed\":\"abc\",\"results\":2,\"page\":3,"
                  "\"version\":\"1.4\"}}",
                  page, detail),
            PageError::kNone)
      << detail;
  ASSERT_EQ(page.users.size(), 2u);
  EXPECT_EQ(compact(page.users[0]), "{\"a\":1}");
  EXPECT_EQ(compact(page.users[1]), "{\"b\":\"x y\"}");
  EXPECT_EQ(page.seed_json, "\"abc\"");
  EXPECT_EQ(page.version_json, "\"1.4\"");
  EXPECT_EQ(page.info_page, 3);
  EXPECT_EQ(page.info_results, 2);
}

TEST(RufetchParsePage, InfoFirstAlsoWorks) {
  Page page;
  std::string detail;
  ASSERT_EQ(parse("{\"info\":{\"page\":1},\"results\":[{}]}", page, detail), PageError::kNone);
  EXPECT_EQ(page.users.size(), 1u);
  EXPECT_EQ(page.info_page, 1);
}

TEST(RufetchParsePage, RejectsBrokenBodies) {
  Page page;
  std::string detail;
  EXPECT_EQ(parse("<html>502 Bad Gateway</html>", page, detail), PageError::kNotJson);
  EXPECT_EQ(parse("{\"results\":[{\"a\":1},{\"b\":", page, detail), PageError::kNotJson);
  // valid prefix then garbage inside a user: the full validation catches it
  EXPECT_EQ(parse("{\"results\":[{\"a\":tru}],\"info\":{}}", page, detail), PageError::kNotJson);
  EXPECT_EQ(parse("{\"results\":[{}]} trailing", page, detail), PageError::kNotJson);
  EXPECT_EQ(parse("[1,2]", page, detail), PageError::kNotJson);
  EXPECT_TRUE(page.users.empty());
}

TEST(RufetchParsePage, ApiErrorAndMissingOrEmptyResults) {
  Page page;
  std::string detail;
  EXPECT_EQ(parse("{\"error\":\"Uh oh, something has gone wrong.\"}", page, detail), PageError::kApiError);
  EXPECT_NE(detail.find("Uh oh"), std::string::npos);
  EXPECT_EQ(parse("{\"info\":{}}", page, detail), PageError::kNoResults);
  EXPECT_EQ(parse("{\"results\":{}}", page, detail), PageError::kNoResults);
  EXPECT_EQ(parse("{\"results\":[1]}", page, detail), PageError::kNoResults);
  EXPECT_EQ(parse("{\"results\":[],\"info\":{\"results\":5}}", page, detail), PageError::kEmptyResults);
  EXPECT_NE(detail.find("info.results is 5"), std::string::npos);
}

}  // namespace
}  // namespace airstream::rufetch
