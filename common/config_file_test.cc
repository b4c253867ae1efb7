// parse_ini: sections, key = value lines, quoted values and lists, comments, line
// numbers in entries and in errors (file:line: ...), and refusal of what it cannot read.
#include "common/config_file.h"

#include <gtest/gtest.h>

namespace airstream {
namespace {

TEST(ConfigFile, SectionsValuesAndLines) {
  auto r = parse_ini(
      "# comment\n"
      "keyspace = ks\n"
      "\n"
      "[cqlwrite]\n"
      "; other comment\n"
      "  map = \"id=login.uuid\"  \n"
      "X = ['a=1', \"b=\\\"2\\\"\", c]\n"
      "[ airstream ]\n"
      "empty =\n",
      "f.conf");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].section, "");
  EXPECT_EQ((*r)[0].key, "keyspace");
  EXPECT_EQ((*r)[0].values, std::vector<std::string>{"ks"});
  EXPECT_EQ((*r)[0].line, 2);
  EXPECT_EQ((*r)[1].section, "cqlwrite");
  EXPECT_EQ((*r)[1].values, std::vector<std::string>{"id=login.uuid"});
  EXPECT_EQ((*r)[1].line, 6);
  EXPECT_EQ((*r)[1].section_line, 4);
  EXPECT_EQ((*r)[2].values, (std::vector<std::string>{"a=1", "b=\"2\"", "c"}));
  EXPECT_EQ((*r)[3].section, "airstream");
  EXPECT_EQ((*r)[3].values, std::vector<std::string>{""});
}

TEST(ConfigFile, RefusesWhatItCannotRead) {
  for (const char* bad :
       {"[cqlwrite\n", "just words\n", "= value\n", "k = \"open\n", "k = [a, b\n", "k = \"a\" trailing\n", "[]\n"}) {
    auto r = parse_ini(std::string("ok = 1\n") + bad, "f.conf");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().exit_code(), kExitConfig);
    EXPECT_EQ(r.status().message().rfind("f.conf:2: ", 0), 0u) << r.status().message();
  }
}

TEST(ConfigFile, ColonSeparatesOnlyWhenAsked) {
  auto r = parse_ini("[connection]\nhostname: db1\nport = 9142\n", "cqlshrc", IniSyntax{.colon_separates = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].key, "hostname");
  EXPECT_EQ((*r)[0].values[0], "db1");
  EXPECT_FALSE(parse_ini("hostname: db1\n", "f").ok());
  auto url = parse_ini("url = http://x:1/\n", "f", IniSyntax{.colon_separates = true});
  ASSERT_TRUE(url.ok());
  EXPECT_EQ((*url)[0].values[0], "http://x:1/");
}

TEST(ConfigFile, Booleans) {
  bool v = false;
  EXPECT_TRUE(parse_ini_bool("Yes", v) && v);
  EXPECT_TRUE(parse_ini_bool("false", v) && !v);
  EXPECT_TRUE(parse_ini_bool("1", v) && v);
  EXPECT_FALSE(parse_ini_bool("maybe", v));
}

}  // namespace
}  // namespace airstream
