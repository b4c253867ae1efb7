// Tests of whole records through compile_mapping + Transformer: the preset, custom
// mappings, filters, required fields, pass-through, CSV/TSV output and rejects.
#include "common/transform/transform.h"

#include <gtest/gtest.h>

namespace airstream::transform {
namespace {

struct Harness {
  std::unique_ptr<Mapping> mapping;
  std::unique_ptr<Transformer> tx;
  explicit Harness(MappingOptions o) {
    auto m = compile_mapping(o);
    if (!m.ok()) throw std::runtime_error(m.status().message());
    mapping = std::move(*m);
    tx = std::make_unique<Transformer>(*mapping);
  }
  // Output line without '\n', "FILTERED", or "REJECT: reason".
  std::string operator()(std::string_view record) {
    std::string out = "prefix|", reason;
    auto r = tx->process_copy(record, out, reason);
    if (r == Transformer::Outcome::kFiltered) return out == "prefix|" ? "FILTERED" : "BAD BUFFER";
    if (r == Transformer::Outcome::kRejected) return out == "prefix|" ? "REJECT: " + reason : "BAD BUFFER";
    EXPECT_EQ(out.back(), '\n');
    return out.substr(7, out.size() - 8);
  }
};

MappingOptions maps(std::vector<std::string> m) {
  MappingOptions o;
  o.maps = std::move(m);
  return o;
}

const char* kUser =
    R"({"gender":"female","name":{"title":"Ms","first":"تارا","last":"O’Connor"},)"
    R"("location":{"street":{"number":947,"name":"Rua São Francisco "},"city":"خرم‌آباد","state":"Lorestan",)"
    R"("country":"Iran","postcode":"P6I 1Z5","coordinates":{"latitude":"1","longitude":"2"}},)"
    R"("email":"t@example.com","login":{"uuid":"9F07341F-C7E6-45B7-BAB0-AF6DE5A4582D","username":"angryostrich988"},)"
    R"("dob":{"date":"1966-06-26T11:50:25.558Z","age":54},"phone":"02","cell":"06",)"
    R"("id":{"name":"","value":null},"picture":{"medium":"https://m/1.jpg"},"nat":"IR"})";

TEST(TransformTest, PresetCreatedUsers) {
  MappingOptions o;
  o.preset = "created_users";
  Harness run(o);
  EXPECT_EQ(
      run(kUser),
      R"({"id":"9f07341f-c7e6-45b7-bab0-af6de5a4582d","first_name":"تارا","last_name":"O’Connor",)"
      R"("gender":"female","address":"947 Rua São Francisco , خرم‌آباد, Lorestan, Iran","post_code":"P6I 1Z5",)"
      R"("email":"t@example.com","username":"angryostrich988","dob":"1966-06-26T11:50:25.558Z",)"
      R"("phone":"02","picture":"https://m/1.jpg"})");
  EXPECT_EQ(run(R"({"login":{"uuid":"9f07341f-c7e6-45b7-bab0-af6de5a4582d"},"location":{"postcode":1234}})"),
            R"({"id":"9f07341f-c7e6-45b7-bab0-af6de5a4582d","post_code":"1234"})");
  EXPECT_EQ(run(R"({"login":{"username":"x"}})"), "REJECT: id: required field is missing (from (.login.uuid | uuid))");
  EXPECT_EQ(run(R"({"login":{"uuid":null}})"), "REJECT: id: required field is null (from (.login.uuid | uuid))");
  EXPECT_EQ(run(R"({"login":{"uuid":"9f07341f-c7e6-45b7-bab0-af6de5a4582d"},"location":{"postcode":{}}})"),
            "REJECT: post_code: expected string or number, got object");
  EXPECT_EQ(run(R"({"login":{"uuid":"9f07341f-c7e6-45b7-bab0-af6de5a4582d"},"email":null})"),
            R"({"id":"9f07341f-c7e6-45b7-bab0-af6de5a4582d"})");
  EXPECT_EQ(run("[1]"), "REJECT: expected a JSON object, got array");
  EXPECT_EQ(run("{\"login\":"), "REJECT: invalid JSON (unclosed or malformed object/array)");
}

TEST(TransformTest, PresetOverridesAndRequireNone) {
  MappingOptions o;
  o.preset = "created_users";
  o.maps = {"id=uuid5(.login.username)", "nat"};
  o.drop = {"picture,phone"};
  o.require = std::vector<std::string>{""};
  Harness run(o);
  EXPECT_EQ(run(R"({"login":{"username":"angryostrich988"},"nat":"FR","phone":"1"})"),
            R"({"id":"72591f8a-6871-58a1-99cb-bd599ff2929a","username":"angryostrich988","nat":"FR"})");
  EXPECT_EQ(run(R"({"nat":"FR"})"), R"({"nat":"FR"})");
}

TEST(TransformTest, CustomMappingTypesAndEscapes) {
  Harness run(maps({"who=\"{.name.first} <{.email | lower}>\"", "n=.n | int", "f=.f | float", "d=.t | date",
                    "ms=.t | epoch_ms", "lit=\"x\"", "k=.\"we\\\"ird\"", "first=.arr[1]", "obj=.o", "t=.o | tojson",
                    "dflt=.nope // \"none\"", "b=true"}));
  EXPECT_EQ(run(R"({"name":{"first":"A\"b"},"email":"A@B.C","n":"12","f":"2.5","t":"2020-01-01T00:00:00+01:00",)"
                R"("we\"ird":1,"arr":[10,{"x":[1]},30],"o":{"a": [1, 2]}})"),
            R"({"who":"A\"b <a@b.c>","n":12,"f":2.5,"d":"2019-12-31","ms":1577833200000,"lit":"x","k":1,)"
            R"("first":{"x":[1]},"obj":{"a": [1, 2]},"t":"{\"a\": [1, 2]}","dflt":"none","b":true})");
  EXPECT_EQ(run(R"({"n":"twelve"})"), "REJECT: n: expected number or numeric string, got string \"twelve\"");
  EXPECT_EQ(run(R"({"t":"not a date"})"), "REJECT: d: not an ISO-8601 date/time: \"not a date\"");
  // A template with a missing part is missing; null keeps null by default.
  Harness run2(maps({"a=\"{.x}-{.y}\"", "b=.y"}));
  EXPECT_EQ(run2(R"({"x":1,"y":null})"), R"({"b":null})");
  // A template of input paths alone (read from their slots, not evaluated): numbers
  // and booleans as their text, escapes in parts or pieces escaped again, and a
  // missing or null part makes it missing.
  Harness paths(maps({"a=\"{.s}:{.n}/{.b}\"", "q=\"\\\"{.s}\\\"\""}));
  EXPECT_EQ(paths(R"({"s":"x","n":-1.5e3,"b":false})"), R"({"a":"x:-1.5e3/false","q":"\"x\""})");
  EXPECT_EQ(paths(R"({"s":"a\"b\u00e9","n":0,"b":true})"),
            "{\"a\":\"a\\\"b\xc3\xa9:0/true\",\"q\":\"\\\"a\\\"b\xc3\xa9\\\"\"}");
  EXPECT_EQ(paths(R"({"s":"x","n":1})"), R"({"q":"\"x\""})");
  EXPECT_EQ(paths(R"({"s":"x","n":1,"b":null})"), R"({"q":"\"x\""})");
  // Keys written with escapes are matched by their meaning.
  Harness run3(maps({"v=.login.uuid"}));
  EXPECT_EQ(run3(R"({"log\u0069n":{"uuid":"u"}})"), R"({"v":"u"})");
  EXPECT_EQ(run3(R"({"login":{"uuid":"a\u00e9\n"}})"), "{\"v\":\"a\xc3\xa9\\n\"}");
  // Duplicate keys inside an object: the first wins, and the other wanted keys are still found.
  Harness run4(maps({"a=.o.a", "b=.o.b"}));
  EXPECT_EQ(run4(R"({"o":{"a":1,"a":2,"b":3}})"), R"({"a":1,"b":3})");
}

TEST(TransformTest, WholeValueAndItsParts) {
  // A value wanted whole and also for some of its children is read once; its raw text
  // is still exact, and what follows it is still read.
  Harness run(maps({"whole=.o", "part=.o.a", "c=.o.b[1].c", "p=.p", "q=.p[1].q", "after"}));
  EXPECT_EQ(run(R"({"o":{"a":1,"b":[1,{"c":2}],"z":3},"p":[10,{"q":"x"}],"after":1})"),
            R"({"whole":{"a":1,"b":[1,{"c":2}],"z":3},"part":1,"c":2,"p":[10,{"q":"x"}],"q":"x","after":1})");
  EXPECT_EQ(run(R"({"o":{"a" : 1 , "b":2} , "p":[]})"), R"({"whole":{"a" : 1 , "b":2},"part":1,"p":[]})");
  EXPECT_EQ(run(R"({"o":[1],"p":{"1":2}})"), R"({"whole":[1],"p":{"1":2}})");
}

TEST(TransformTest, RawOutputIsAlwaysValidJson) {
  // Values copied raw are checked in full, even where the on-demand parser would skip.
  Harness whole(maps({"o"}));
  EXPECT_EQ(whole(R"({"o":{"x":[1,{"y":tru}]}})").substr(0, 20), "REJECT: invalid JSON");
  EXPECT_EQ(whole(R"({"o":{"x":01}})").substr(0, 20), "REJECT: invalid JSON");
  EXPECT_EQ(whole(R"({"o":{"x":"\q"}})").substr(0, 20), "REJECT: invalid JSON");
  // A field no mapping reads is checked too: every tool gives a line the same verdict
  // (common/json/record.h); numbers of any magnitude are valid.
  EXPECT_EQ(whole(R"({"o":{"x":[1,2]},"skipped":tru})"), "REJECT: invalid JSON (bad literal)");
  EXPECT_EQ(whole(R"({"o":{"x":[1e400]},"skipped":18446744073709551616})"), R"({"o":{"x":[1e400]}})");
  std::string deep = R"({"o":1,"d":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(whole(deep), "REJECT: invalid JSON (nested deeper than 1024 levels)");
  Harness parts(maps({"o", "a=.o.a"}));
  EXPECT_EQ(parts(R"({"o":{"a":1,"x":nul}})").substr(0, 20), "REJECT: invalid JSON");
  Harness record(maps({"all=.", "a"}));
  EXPECT_EQ(record(R"({"a":1,"x":fals})").substr(0, 20), "REJECT: invalid JSON");
  EXPECT_EQ(record(R"({"a":1})"), R"({"all":{"a":1},"a":1})");
}

TEST(TransformTest, WhereAndRequire) {
  MappingOptions o = maps({"nat", "age=.dob.age"});
  o.wheres = {".nat == \"FR\" or .nat == \"GB\"", ".dob.age >= 30"};
  o.require = std::vector<std::string>{"age,login.uuid"};
  Harness run(o);
  EXPECT_EQ(run(R"({"nat":"FR","dob":{"age":54},"login":{"uuid":"x"}})"), R"({"nat":"FR","age":54})");
  EXPECT_EQ(run(R"({"nat":"US","dob":{"age":54},"login":{"uuid":"x"}})"), "FILTERED");
  EXPECT_EQ(run(R"({"nat":"GB","dob":{"age":29},"login":{"uuid":"x"}})"), "FILTERED");
  EXPECT_EQ(run(R"({"nat":"GB","dob":{"age":31}})"), "REJECT: login.uuid: required field is missing");
  MappingOptions bad = maps({"x"});
  bad.wheres = {".x | startswith(\"a\")"};
  Harness run2(bad);
  EXPECT_EQ(run2(R"({"x":"abc"})"), R"({"x":"abc"})");
  EXPECT_EQ(run2(R"({"x":"zz"})"), "FILTERED");
  EXPECT_EQ(run2(R"({"x":5})"), "REJECT: --where (.x | startswith(\"a\")): expected string, got number");
}

TEST(TransformTest, PassThrough) {
  MappingOptions o = maps({"id=.login.uuid"});
  o.keep = {"*"};
  o.drop = {"cell"};
  Harness run(o);
  EXPECT_EQ(run(R"({"login":{"uuid":"u","x":1},"cell":"1", "nat" : "FR" ,"o":{"a" : [1]},"k\u00e9":true})"),
            R"({"id":"u","login":{"uuid":"u","x":1},"nat":"FR","o":{"a" : [1]},"k\u00e9":true})");
  EXPECT_EQ(run(R"({"a":tru})"), "REJECT: invalid JSON (bad literal)");  // pass-through validates fully
  Harness identity{MappingOptions{}};
  EXPECT_EQ(identity(R"({"b":1,"a":[2]})"), R"({"b":1,"a":[2]})");
  MappingOptions k = maps({"x=.a"});
  k.keep = {"b,c"};
  Harness keep(k);
  EXPECT_EQ(keep(R"({"a":1,"b":{"z":0},"d":4})"), R"({"x":1,"b":{"z":0}})");
  // A field passed through that a mapping also reads keeps its value, scalar or not
  // (a scalar used to pass through empty: "a":,).
  MappingOptions both = maps({"x=.a", "y=.o.k", "s=.s | lower"});
  both.keep = {"*"};
  Harness run_both(both);
  EXPECT_EQ(run_both(R"({"a":1 ,"s":"AB" , "o" : {"k":[2]} ,"n":null,"t":true})"),
            R"({"x":1,"y":[2],"s":"ab","a":1,"o":{"k":[2]},"n":null,"t":true})");
}

TEST(TransformTest, CsvAndTsv) {
  MappingOptions o = maps({"s=.s", "n=.n", "b=.b", "o=.o"});
  o.format = Format::kCsv;
  o.header = true;
  Harness csv(o);
  std::string header;
  csv.tx->header(header);
  EXPECT_EQ(header, "s,n,b,o\n");
  EXPECT_EQ(csv(R"({"s":"a,\"b\"\nc","n":1.5,"b":false,"o":{"k":[1,2]}})"),
            "\"a,\"\"b\"\"\nc\",1.5,false,\"{\"\"k\"\":[1,2]}\"");
  EXPECT_EQ(csv(R"({"s":"","n":null})"), "\"\",,,");
  EXPECT_EQ(csv(R"({"s":"nul\u0000"})"),
            "REJECT: s: string contains a NUL byte, which CSV/TSV output for PostgreSQL cannot carry");
  o.format = Format::kTsv;
  Harness tsv(o);
  header.clear();
  tsv.tx->header(header);
  EXPECT_EQ(header, "s\tn\tb\to\n");
  EXPECT_EQ(tsv(R"({"s":"tab\there\\ \r\n \\N","n":-1})"), "tab\\there\\\\ \\r\\n \\\\N\t-1\t\\N\t\\N");
  EXPECT_EQ(tsv(R"({"s":""})"), "\t\\N\t\\N\t\\N");
}

TEST(TransformTest, CompileErrors) {
  auto err = [](MappingOptions o) {
    auto m = compile_mapping(o);
    return m.ok() ? std::string("ok") : m.status().message();
  };
  EXPECT_NE(err(maps({"x=.a |"})).find("-m: x: expected a function name"), std::string::npos);
  EXPECT_NE(err(maps({"=.a"})).find("empty field name"), std::string::npos);
  MappingOptions o;
  o.keep = {"*"};
  o.format = Format::kCsv;
  EXPECT_NE(err(o).find("fixed list of columns"), std::string::npos);
  MappingOptions h = maps({"a"});
  h.header = true;
  EXPECT_NE(err(h).find("--header applies"), std::string::npos);
  MappingOptions w = maps({"a"});
  w.wheres = {".a =="};
  EXPECT_NE(err(w).find("--where"), std::string::npos);
  MappingOptions f = maps({"a"});
  f.map_files = {"/nonexistent/map"};
  EXPECT_NE(err(f).find("cannot open mapping file"), std::string::npos);
}

}  // namespace
}  // namespace airstream::transform
