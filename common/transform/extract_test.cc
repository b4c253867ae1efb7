// The extractor checks the whole record against the grammar while it reads the
// mapped paths (no second parse): for hostile values placed in fields it reads, in
// fields it skips, in arrays, in objects it takes raw and after every wanted field was
// seen, its verdict must be RecordValidator's (common/json/record.h).
#include "common/transform/extract.h"

#include <gtest/gtest.h>

#include "common/json/record.h"

namespace airstream::transform {
namespace {

std::vector<PathSeg> path(std::initializer_list<const char*> keys) {
  std::vector<PathSeg> p;
  for (const char* k : keys) p.push_back({k, false, 0});
  return p;
}

// Mappings: nothing read, a top-level field, a nested field (so the rest of its
// object is checked after it was found), an array element, an object taken raw.
std::vector<Extractor> extractors() {
  std::vector<Extractor> v(5);
  v[1].add_path(path({"a"}));
  v[2].add_path(path({"o", "b"}));
  v[2].add_path(path({"o", "a"}));
  auto elem = path({"a"});
  elem.push_back({"", true, 1});
  v[3].add_path(elem);
  v[4].add_path(path({"o"}));
  v[4].set_collect_top(true);
  return v;
}

// Valid and invalid values; each goes into records at several places.
const char* kValues[] = {"1", "-0.5e+3", "1e400", "18446744073709551616", "\"s\"", "\"\\u00e9\\\"\"", "true", "false",
                         "null", "[]", "{}", "[1,{\"k\":[true,null]}]", "{\"k\\u0041\":\"v\"}",
                         // invalid
                         "tru", "nul", "fals", "truex", "nan", "NaN", "Infinity", "01", "1.", "1.e5", "-", "--1", "1e",
                         "0x10", "+1", ".5", "[1,]", "[1 2]", "{\"k\":1,}", "{\"k\" 1}", "{\"k\":1 \"j\":2}", "\"\\q\"",
                         "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"a\x01\"", "\"\xff\"", "'s'", "[1,,2]", "{,}",
                         "{\"\\x\":1}", "\"b\":\"c\"", "[\"b\":1]", "{\"k\":\"v\":1}"};

std::vector<std::string> records() {
  std::vector<std::string> out;
  for (const char* v : kValues) {
    std::string s(v);
    for (const char* shape : {"{\"a\":@,\"z\":1}", "{\"z\":@,\"a\":1}", "{\"a\":[0,@,2]}", "{\"a\":[0,1,@]}",
                              "{\"o\":{\"a\":1,\"b\":2,\"c\":@}}", "{\"o\":{\"c\":@,\"a\":1,\"b\":2}}",
                              "{\"o\":{\"a\":1,\"b\":@}}", "{\"o\":{\"a\":1,\"b\":2},\"o\":@}", "{\"a\":1,\"a\":@}"}) {
      std::string r(shape);
      r.replace(r.find('@'), 1, s);
      out.push_back(r);
    }
  }
  // Whole-record shapes.
  for (const char* r : {"{\"a\":1} 2", "{\"a\":1}{}", "{\"a\":1,}", "{\"a\":1", "{\"a\" 1}", "{\"a\":1}}",
                        "{\"\\ud800\":1}", "{\"a\":\"b\":\"c\",\"d\":1}"})
    out.push_back(r);
  return out;
}

// Each mapping's verdict on r against RecordValidator's (want_valid, if given, too).
void expect_same_verdict(const std::string& r, const std::string& what, int want_valid = -1) {
  static RecordValidator validator;
  static JsonParser parser;
  static std::vector<Extractor> exs = extractors();
  std::string p(r);
  p.append(kJsonPadding, '\0');
  std::string_view text(p.data(), r.size());
  const bool valid = validator.check(text).empty();
  if (want_valid >= 0) {
    EXPECT_EQ(valid, want_valid == 1) << what;
  }
  for (size_t m = 0; m < exs.size(); m++) {
    std::vector<Val> slots(exs[m].slot_count());
    std::vector<RawField> top;
    std::string err;
    simdjson::ondemand::document doc;
    bool ok = parser.parse_padded(text).get(doc) == simdjson::SUCCESS &&
              exs[m].extract(doc, slots.data(), &top, err, r.find('\\') != std::string::npos);
    EXPECT_EQ(valid, ok) << "mapping " << m << ": " << what << " (extractor: " << err << ")";
  }
}

TEST(ExtractorGrammar, SameVerdictAsTheRecordValidator) {
  for (const std::string& r : records()) expect_same_verdict(r, r);
}

TEST(ExtractorGrammar, DepthLimitAsTheRecordValidator) {
  for (size_t depth : {kMaxJsonDepth - 2, kMaxJsonDepth - 1, kMaxJsonDepth, kMaxJsonDepth + 1, size_t{100000}}) {
    // The record's object is one level, so depth-1 arrays inside it.
    for (const char* key : {"a", "z", "o"}) {
      std::string r =
          std::string("{\"") + key + "\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
      expect_same_verdict(r, std::string("key ") + key + ", depth " + std::to_string(depth),
                          depth <= kMaxJsonDepth ? 1 : 0);
    }
  }
}

}  // namespace
}  // namespace airstream::transform
