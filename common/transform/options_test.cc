// Tests of the shared transform options (the sinks' and uxform's spellings of the
// same definitions) and of RecordTransform, the transform step inside the sinks.
#include "common/transform/options.h"

#include <gtest/gtest.h>

#include "common/transform/record_transform.h"

namespace airstream::transform {
namespace {

bool parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
    return true;
  } catch (const CLI::ParseError&) {
    return false;
  }
}

TEST(TransformOptions, SinkSpellings) {
  CLI::App app;
  MappingOptions mo;
  add_transform_options(app, mo, 0);
  EXPECT_FALSE(transform_requested(mo));
  ASSERT_TRUE(parse(app, {"--preset", "created_users", "--set", "x=.a", "--where", ".b", "--require", ""}));
  EXPECT_EQ(mo.preset, "created_users");
  EXPECT_EQ(mo.maps, std::vector<std::string>{"x=.a"});
  ASSERT_TRUE(mo.require.has_value());
  EXPECT_TRUE(transform_requested(mo));
  EXPECT_EQ(mo.maps_option, "--set");
  // -p, -m and -w are not the sinks' (pgload's -p is the port; --map is the column mapping).
  CLI::App other;
  MappingOptions mo2;
  add_transform_options(other, mo2, 0);
  EXPECT_FALSE(parse(other, {"-m", "x=.a"}));
  EXPECT_FALSE(parse(other, {"-p", "created_users"}));
}

TEST(TransformOptions, UxformSpellings) {
  CLI::App app;
  MappingOptions mo;
  add_transform_options(app, mo, kPresetShort | kUxformSpellings);
  ASSERT_TRUE(parse(app, {"-p", "created_users", "-m", "x=.a", "--set", "y=.b", "--map", "z=.c", "-w", ".d"}));
  EXPECT_EQ(mo.maps, (std::vector<std::string>{"x=.a", "y=.b", "z=.c"}));
  EXPECT_FALSE(mo.require.has_value());
  EXPECT_EQ(mo.maps_option, "-m");
}

TEST(RecordTransform, WrittenFilteredRejected) {
  MappingOptions mo;
  mo.maps = {"id=.u | uuid", "n=.n"};
  mo.wheres = {".n != 0"};
  mo.maps_option = "--set";
  EXPECT_EQ(RecordTransform::make_if_requested(MappingOptions{}).value(), nullptr);
  auto made = RecordTransform::make_if_requested(mo);
  ASSERT_TRUE(made.ok());
  RecordTransform& x = **made;
  auto padded = [](std::string s) {
    s.append(kJsonPadding, '\0');
    return s;
  };
  std::string a = padded(R"({"u":"C9D2F683-613F-43F5-9638-78F1493125E8","n":1})");
  ASSERT_EQ(x.apply(std::string_view(a.data(), a.size() - kJsonPadding)), RecordTransform::Outcome::kWritten);
  EXPECT_EQ(x.out(), R"({"id":"c9d2f683-613f-43f5-9638-78f1493125e8","n":1})");
  std::string b = padded(R"({"u":"x","n":0})");
  EXPECT_EQ(x.apply(std::string_view(b.data(), b.size() - kJsonPadding)), RecordTransform::Outcome::kFiltered);
  std::string c = padded(R"({"u":"x","n":2})");
  EXPECT_EQ(x.apply(std::string_view(c.data(), c.size() - kJsonPadding)), RecordTransform::Outcome::kRejected);
  EXPECT_NE(x.reason().find("id: not a UUID"), std::string::npos) << x.reason();
  mo.maps = {"x=.a |"};
  auto bad = RecordTransform::make(mo);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().exit_code(), kExitUsage);
  EXPECT_EQ(bad.status().message().rfind("--set: x:", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace airstream::transform
