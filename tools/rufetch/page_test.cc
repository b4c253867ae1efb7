// Unit tests for page parsing (whole-body validation, raw user extraction) and
// compaction (strings byte for byte, escapes untouched).
#include "page.h"

#include <gtest/gtest.h>

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
