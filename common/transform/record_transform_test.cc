// RecordTransform::writes_valid_json, on which the sinks rely to skip a second check of
// the grammar: for mappings that use every function, templates, raw values and
// pass-through, over records holding hostile values, every record written must be
// one RecordValidator accepts; mappings whose own text is not valid JSON text say so.
#include "common/transform/record_transform.h"

#include <gtest/gtest.h>

#include "common/json/record.h"

namespace airstream::transform {
namespace {

std::unique_ptr<RecordTransform> make(std::vector<std::string> maps, std::vector<std::string> keep = {}) {
  MappingOptions o;
  o.maps = std::move(maps);
  o.keep = std::move(keep);
  o.require = std::vector<std::string>{""};
  auto t = RecordTransform::make(o);
  if (!t.ok()) throw std::runtime_error(t.status().message());
  return std::move(*t);
}

// Values valid and not, deep ones included; each goes into every field the mappings read.
std::vector<std::string> values() {
  std::vector<std::string> v = {"1",
                                "-0",
                                "-0.5e+3",
                                "1e400",
                                "18446744073709551616",
                                "007",
                                "\"s\"",
                                "\"\\u00e9\\\"\\u0000\\n\"",
                                "\"\\ud83d\\ude00\"",
                                "\"\xc3\xa9 \xe2\x82\xac\"",
                                "\"\\ud800\"",
                                "\"\xff\"",
                                "\"a\x01\"",
                                "\" 12 \"",
                                "\"1e400\"",
                                "\"-0\"",
                                "\"9F07341F-C7E6-45B7-BAB0-AF6DE5A4582D\"",
                                "\"2020-02-29T23:59:59.999+14:00\"",
                                "\"  Mixed Case\\t\"",
                                "true",
                                "false",
                                "null",
                                "[]",
                                "{}",
                                "[1,{\"k\":[true,null]}]",
                                "{\"k\\u0041\":\"v\"}",
                                "tru",
                                "nan",
                                "[1,]",
                                "{\"k\":1,}"};
  for (size_t depth : {1022, 1023, 1024, 1025}) v.push_back(std::string(depth, '[') + std::string(depth, ']'));
  return v;
}

TEST(RecordTransform, EveryRecordWrittenIsValid) {
  std::vector<std::unique_ptr<RecordTransform>> ts;
  ts.push_back(make({"s=.a | string",
                     "j=.a | tojson",
                     "i=.a | int",
                     "f=.a | float",
                     "l=.a | lower",
                     "u=.a | upper",
                     "t=.a | trim",
                     "d=.a | date",
                     "e=.a | epoch_ms",
                     "id=.a | uuid",
                     "v=uuid5(.a; .b)",
                     "raw=.a",
                     "nested=.o.a",
                     "alt=.missing // .a",
                     "dflt=.a | default(\"x\")",
                     "tpl=\"<{.a}|{.o.a}>\"",
                     "n=-12.5e3",
                     "lit=\"\\u00e9\"",
                     "b=(.a == 1)",
                     "c=(.a | startswith(\"s\"))"}));
  ts.push_back(make({"x=.a"}, {"*"}));
  ts.push_back(make({"\"k\\\"ey \\u00e9\"=.o"}, {"b"}));
  RecordValidator validator;
  size_t written = 0;
  for (const auto& t : ts) {
    ASSERT_TRUE(t->writes_valid_json());
    for (const auto& a : values()) {
      for (const auto& shape : {"{\"a\":@,\"b\":\"x\",\"o\":{\"a\":@}}", "{\"o\":{\"a\":[@]},\"a\":@,\"b\":@}"}) {
        std::string r(shape);
        for (size_t at; (at = r.find('@')) != std::string::npos;) r.replace(at, 1, a);
        std::string padded = r + std::string(kJsonPadding, '\0');
        if (t->apply(std::string_view(padded.data(), r.size())) != RecordTransform::Outcome::kWritten) continue;
        std::string out(t->out());
        out.append(kJsonPadding, '\0');
        written++;
        EXPECT_EQ(validator.check(std::string_view(out.data(), t->out().size())), "") << r << " -> " << t->out();
      }
    }
  }
  EXPECT_GT(written, 60u);  // most shapes are written by some mapping
}

TEST(RecordTransform, MappingTextThatIsNotJsonIsRefused) {
  // Text that would go into the output as written and that JSON cannot hold is a usage
  // error, not invalid output (uxform wrote {"n":007} before).
  for (auto maps : std::vector<std::vector<std::string>>{
           {"n=007"}, {"n=-01.5"}, {"\"\xff\"=.a"}, {"s=\"\xc3\""}, {"s=\"a{.a}\xe2\x82\""}}) {
    MappingOptions o;
    o.maps = maps;
    auto t = RecordTransform::make(o);
    ASSERT_FALSE(t.ok()) << maps[0];
    EXPECT_EQ(t.status().exit_code(), kExitUsage) << maps[0];
  }
  MappingOptions fine;
  fine.maps = {"n=0.7", "m=-0", "z=0e1", "s=\"\xc3\xa9\""};
  EXPECT_TRUE(RecordTransform::make(fine).ok());
}

TEST(RecordTransform, MappingTextThatIsNotValidJsonSaysSo) {
  RecordValidator validator;
  // Each writes records the grammar refuses: the sinks must check them as any input.
  for (auto maps : std::vector<std::vector<std::string>>{{"all=."}}) {
    auto t = make(maps);
    EXPECT_FALSE(t->writes_valid_json()) << maps[0];
    std::string deep = "{\"a\":1,\"d\":" + std::string(1023, '[') + std::string(1023, ']') + "}";
    std::string padded = deep + std::string(kJsonPadding, '\0');
    ASSERT_EQ(t->apply(std::string_view(padded.data(), deep.size())), RecordTransform::Outcome::kWritten) << maps[0];
    std::string out(t->out());
    out.append(kJsonPadding, '\0');
    EXPECT_NE(validator.check(std::string_view(out.data(), t->out().size())), "") << maps[0] << " -> " << t->out();
  }
  EXPECT_TRUE(make({"n=7", "s=\"\xc3\xa9\""})->writes_valid_json());
}

}  // namespace
}  // namespace airstream::transform
