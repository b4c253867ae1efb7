// Serialization of every supported CQL type from JSON, cross-checked value by value
// with python3-cassandra's cqltypes serializers (an independent implementation), plus
// the conversion errors (the reject reasons) and type-string parsing.
#include "common/cql/types.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/cql/test_util.h"
#include "common/json/json.h"

namespace airstream::cql {
namespace {

using testutil::to_hex;

// Encodes the JSON text `json` as type `type`; returns the value bytes (without the
// [value] length) or "ERR:<message>"; "NULL" for a null.
std::string enc(const std::string& type, const std::string& json) {
  auto t = parse_type(type);
  if (!t.ok()) return "BADTYPE";
  JsonParser p;
  std::string doc_text = "{\"v\":" + json + "}";
  simdjson::ondemand::document doc;
  if (p.parse_copy(doc_text).get(doc)) return "BADJSON";
  simdjson::ondemand::value v;
  if (doc["v"].get(v)) return "BADJSON";
  std::string out, err;
  if (!encode_json_value(*t, v, out, err)) return "ERR:" + err;
  if (load_u32(out.data()) == 0xffffffffu) return "NULL";
  EXPECT_EQ(load_u32(out.data()), out.size() - 4) << type << " " << json;
  return out.substr(4);
}

struct Case {
  const char* type;
  const char* json;
  const char* pytype;
  const char* pyvalue;
};

const Case kCases[] = {
    {"int", "42", "Int32Type", "42"},
    {"int", "\"-2147483648\"", "Int32Type", "-2147483648"},
    {"bigint", "-5", "LongType", "-5"},
    {"bigint", "9223372036854775807", "LongType", "9223372036854775807"},
    {"smallint", "300", "ShortType", "300"},
    {"tinyint", "-7", "ByteType", "-7"},
    {"varint", "\"123456789012345678901234567890\"", "IntegerType", "123456789012345678901234567890"},
    {"varint", "-129", "IntegerType", "-129"},
    {"varint", "128", "IntegerType", "128"},
    {"varint", "0", "IntegerType", "0"},
    {"varint", "-1", "IntegerType", "-1"},
    {"varint", "-32768", "IntegerType", "-32768"},
    {"float", "1.5", "FloatType", "1.5"},
    {"double", "-2.25e10", "DoubleType", "-2.25e10"},
    {"double", "\"NaN\"", "DoubleType", "float('nan')"},
    {"decimal", "\"-123.4500\"", "DecimalType", "Decimal('-123.4500')"},
    {"decimal", "1e3", "DecimalType", "Decimal('1e3')"},
    {"decimal", "0.001", "DecimalType", "Decimal('0.001')"},
    {"boolean", "true", "BooleanType", "True"},
    {"boolean", "false", "BooleanType", "False"},
    {"timestamp", "\"2024-01-02T03:04:05.678Z\"", "DateType", "datetime.datetime(2024,1,2,3,4,5,678000)"},
    {"timestamp", "\"2024-01-02T04:04:05.678+01:00\"", "DateType", "datetime.datetime(2024,1,2,3,4,5,678000)"},
    {"timestamp", "\"1993-07-20 12:00:00\"", "DateType", "datetime.datetime(1993,7,20,12,0,0)"},
    {"timestamp", "\"1960-01-01\"", "DateType", "datetime.datetime(1960,1,1)"},
    {"timestamp", "1700000000123", "DateType", "datetime.datetime(2023,11,14,22,13,20,123000)"},
    {"date", "\"2024-02-29\"", "SimpleDateType", "datetime.date(2024,2,29)"},
    {"date", "\"1969-12-31\"", "SimpleDateType", "datetime.date(1969,12,31)"},
    {"time", "\"13:45:30.123456789\"", "TimeType", "util.Time('13:45:30.123456789')"},
    {"time", "\"00:00:01\"", "TimeType", "util.Time('00:00:01')"},
    {"uuid", "\"123e4567-e89b-12d3-a456-426614174000\"", "UUIDType",
     "uuid.UUID('123e4567-e89b-12d3-a456-426614174000')"},
    {"timeuuid", "\"5c3a1f4e-9b1e-11ee-8c90-0242ac120002\"", "TimeUUIDType",
     "uuid.UUID('5c3a1f4e-9b1e-11ee-8c90-0242ac120002')"},
    {"inet", "\"192.168.1.2\"", "InetAddressType", "'192.168.1.2'"},
    {"inet", "\"::1\"", "InetAddressType", "'::1'"},
    {"blob", "\"0xdeadBEEF\"", "BytesType", "bytes.fromhex('deadbeef')"},
    {"blob", "\"aGVsbG8=\"", "BytesType", "b'hello'"},
    {"text", "\"h\\u00e9llo \\\"q\\\"\"", "UTF8Type", "'h\\u00e9llo \"q\"'"},
    {"varchar", "12345", "UTF8Type", "'12345'"},
    {"ascii", "\"abc\"", "AsciiType", "'abc'"},
    {"list<int>", "[1,2]", "ListType(Int32Type)", "[1,2]"},
    {"list<int>", "[]", "ListType(Int32Type)", "[]"},
    {"set<text>", "[\"a\",\"b\"]", "SetType(UTF8Type)", "['a','b']"},
    {"map<text, int>", "{\"a\":1,\"b\":2}", "MapType(UTF8Type, Int32Type)", "{'a':1,'b':2}"},
    {"map<int, text>", "{\"1\":\"x\"}", "MapType(Int32Type, UTF8Type)", "{1:'x'}"},
    {"map<uuid, list<text>>", "{\"123e4567-e89b-12d3-a456-426614174000\":[\"x\"]}",
     "MapType(UUIDType, ListType(UTF8Type))", "{uuid.UUID('123e4567-e89b-12d3-a456-426614174000'):['x']}"},
    {"tuple<int, text>", "[1,\"x\"]", "TupleType(Int32Type, UTF8Type)", "(1,'x')"},
    {"frozen<tuple<int, text>>", "[null,\"x\"]", "TupleType(Int32Type, UTF8Type)", "(None,'x')"},
    {"list<frozen<list<int>>>", "[[1],[2,3]]", "ListType(ListType(Int32Type))", "[[1],[2,3]]"},
};

TEST(CqlTypes, EveryTypeMatchesPythonDriver) {
  if (!testutil::have_python_driver()) GTEST_SKIP() << "python3-cassandra not installed";
  std::ostringstream script;
  script << "import datetime, uuid\nfrom decimal import Decimal\nfrom cassandra import util\n"
            "from cassandra.cqltypes import lookup_casstype\n";
  for (const auto& c : kCases)
    script << "print(lookup_casstype('" << c.pytype << "').serialize(" << c.pyvalue << ", 4).hex())\n";
  auto out = testutil::run_python(script.str());
  ASSERT_TRUE(out.has_value());
  std::istringstream in(*out);
  for (const auto& c : kCases) {
    std::string want;
    std::getline(in, want);
    EXPECT_EQ(to_hex(enc(c.type, c.json)), want) << c.type << " from " << c.json;
  }
}

TEST(CqlTypes, FixedEncodings) {
  EXPECT_EQ(to_hex(enc("int", "1")), "00000001");
  EXPECT_EQ(to_hex(enc("varint", "255")), "00ff");
  EXPECT_EQ(to_hex(enc("varint", "-256")), "ff00");
  EXPECT_EQ(to_hex(enc("date", "\"1970-01-01\"")), "80000000");
  EXPECT_EQ(to_hex(enc("date", "0")), "80000000");
  EXPECT_EQ(to_hex(enc("timestamp", "\"1970-01-01T00:00:01Z\"")), "00000000000003e8");
  EXPECT_EQ(to_hex(enc("set<tinyint>", "[1]")),
            "00000001"
            "00000001"
            "01");
  EXPECT_EQ(enc("text", "null"), "NULL");
  EXPECT_EQ(enc("list<int>", "null"), "NULL");
}

TEST(CqlTypes, ConversionErrorsNameTheProblem) {
  EXPECT_EQ(enc("uuid", "\"not-a-uuid\""), "ERR:expected uuid, got \"not-a-uuid\"");
  EXPECT_EQ(enc("uuid", "42"), "ERR:expected uuid, got 42");
  EXPECT_EQ(enc("int", "2147483648"), "ERR:expected int, got 2147483648 (out of range)");
  EXPECT_EQ(enc("tinyint", "128"), "ERR:expected tinyint, got 128 (out of range)");
  EXPECT_EQ(enc("int", "1.5"), "ERR:expected int, got 1.5 (not an integer)");
  // Numbers the column cannot hold exactly (issue 17; same rules as pgload's).
  EXPECT_EQ(enc("bigint", "1.0e-400"), "ERR:expected bigint, got 1.0e-400 (not an integer)");
  EXPECT_EQ(enc("bigint", "18446744073709551616"), "ERR:expected bigint, got 18446744073709551616 (out of range)");
  EXPECT_EQ(enc("bigint", "1e400"), "ERR:expected bigint, got 1e400 (out of range)");
  EXPECT_EQ(enc("double", "1e400"), "ERR:expected double, got 1e400 (out of range)");
  EXPECT_EQ(enc("double", "1.0e-400"), "ERR:expected double, got 1.0e-400 (too small (would be stored as 0))");
  EXPECT_EQ(enc("float", "1e39"), "ERR:expected float, got 1e39 (out of range)");
  EXPECT_EQ(enc("float", "1e-50"), "ERR:expected float, got 1e-50 (too small (would be stored as 0))");
  EXPECT_EQ(to_hex(enc("bigint", "1e3")), "00000000000003e8");
  EXPECT_EQ(to_hex(enc("int", "1000.0")), "000003e8");
  EXPECT_EQ(enc("int", "\"x\""), "ERR:expected int, got \"x\"");
  EXPECT_EQ(enc("text", "{\"a\":1}"), "ERR:expected text, got object");
  EXPECT_EQ(enc("int", "[1]"), "ERR:expected int, got array");
  EXPECT_EQ(enc("boolean", "1"), "ERR:expected boolean, got 1");
  EXPECT_EQ(enc("list<int>", "[1,null]"), "ERR:null element in list<int>");
  EXPECT_EQ(enc("list<int>", "{}"), "ERR:expected list<int> as a JSON array");
  EXPECT_EQ(enc("timeuuid", "\"123e4567-e89b-42d3-a456-426614174000\""),
            "ERR:expected timeuuid, got \"123e4567-e89b-42d3-a456-426614174000\" (not a version 1 UUID)");
  EXPECT_EQ(enc("date", "\"2023-02-29\""),
            "ERR:expected date, got \"2023-02-29\" (want YYYY-MM-DD or days since epoch)");
  EXPECT_EQ(enc("timestamp", "\"yesterday\""),
            "ERR:expected timestamp, got \"yesterday\" (want ISO-8601 or epoch milliseconds)");
  EXPECT_EQ(enc("blob", "\"0xabc\""), "ERR:expected blob, got \"0xabc\" (odd number of hex digits)");
  EXPECT_EQ(enc("tuple<int, int>", "[1]"), "ERR:expected 2 elements for tuple<int, int>, got 1");
  EXPECT_EQ(enc("map<int, int>", "{\"x\":1}"), "ERR:map key: expected int, got \"x\"");
  EXPECT_EQ(enc("inet", "\"300.1.1.1\""), "ERR:expected inet, got \"300.1.1.1\"");
  EXPECT_EQ(enc("ascii", "\"h\\u00e9\""), "ERR:expected ascii, got \"h\xc3\xa9\" (non-ASCII character)");
  EXPECT_EQ(enc("time", "\"25:00:00\""),
            "ERR:expected time, got \"25:00:00\" (want HH:MM:SS[.fffffffff] or nanoseconds)");
}

TEST(CqlTypes, ParseTypeStrings) {
  EXPECT_EQ(parse_type("frozen<map<text, frozen<list<int>>>>")->name(), "map<text, list<int>>");
  EXPECT_EQ(parse_type("TEXT")->kind, TypeKind::kVarchar);
  EXPECT_EQ(parse_type("tuple<int, text, uuid>")->params.size(), 3u);
  EXPECT_EQ(parse_type("address_udt")->kind, TypeKind::kUdt);
  EXPECT_FALSE(parse_type("map<text>").ok());
  EXPECT_FALSE(parse_type("list<int").ok());
}

TEST(CqlTypes, TypeOptionsFromMetadata) {
  std::string b;
  put_u16(b, 0x21);  // map
  put_u16(b, 0x0D);  // varchar
  put_u16(b, 0x20);  // list
  put_u16(b, 0x09);  // int
  BodyReader r(b);
  Type t = read_type_option(r);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(t.name(), "map<text, list<int>>");
}

TEST(CqlTypes, TypeTextNestingIsBounded) {
  // Type strings come from the server's schema tables (system_schema.columns.type):
  // nesting is bounded like the binary type options', not a recursion per level.
  std::string deep;
  for (int i = 0; i < 100000; i++) deep += "frozen<list<";
  deep += "int";
  for (int i = 0; i < 100000; i++) deep += ">>";
  auto t = parse_type(deep);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("type nesting too deep"), std::string::npos);
  std::string ok;
  for (int i = 0; i < 16; i++) ok += "list<";
  ok += "int" + std::string(16, '>');
  EXPECT_TRUE(parse_type(ok).ok());
}

TEST(CqlTypes, TypeOptionNestingIsBounded) {
  // A hostile server's metadata nesting list<list<...>> 100000 deep: refused, no
  // recursion without end.
  std::string b;
  for (int i = 0; i < 100000; i++) put_u16(b, 0x20);
  put_u16(b, 0x09);
  BodyReader r(b);
  read_type_option(r);
  EXPECT_FALSE(r.ok());
  std::string ok;
  for (int i = 0; i < 16; i++) put_u16(ok, 0x20);
  put_u16(ok, 0x09);
  BodyReader r2(ok);
  read_type_option(r2);
  EXPECT_TRUE(r2.ok());
}

TEST(CqlTypes, FormatValues) {
  auto t = *parse_type("set<text>");
  std::string v;
  put_i32(v, 2);
  put_bytes(v, "-100");
  put_bytes(v, "200");
  EXPECT_EQ(format_value(t, v), "[-100,200]");
  EXPECT_EQ(format_value(*parse_type("date"), enc("date", "\"2024-02-29\"")), "2024-02-29");
  EXPECT_EQ(format_value(*parse_type("inet"), enc("inet", "\"10.0.0.1\"")), "10.0.0.1");
  EXPECT_EQ(format_value(*parse_type("uuid"), enc("uuid", "\"123e4567-e89b-12d3-a456-426614174000\"")),
            "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(format_value(*parse_type("int"), std::nullopt), "null");
}

TEST(CqlTypes, TimestampParsing) {
  int64_t ms;
  ASSERT_TRUE(parse_timestamp_text("2000-03-01T00:00:00Z", ms));
  EXPECT_EQ(ms, 951868800000LL);
  ASSERT_TRUE(parse_timestamp_text("2000-03-01T00:00:00.5-0130", ms));
  EXPECT_EQ(ms, 951868800000LL + 500 + 90 * 60000);
  EXPECT_FALSE(parse_timestamp_text("2000-13-01", ms));
  EXPECT_FALSE(parse_timestamp_text("2000-01-01T10", ms));
  EXPECT_FALSE(parse_timestamp_text("2000-01-01Tx", ms));
  // An offset as ISO-8601 spells it (+hh, +hh:mm, +hhmm), as Cassandra reads it: a
  // colon with no minutes after it is no offset.
  EXPECT_FALSE(parse_timestamp_text("2000-03-01T00:00:00+05:", ms));
  ASSERT_TRUE(parse_timestamp_text("2000-03-01T00:00:00+05", ms));
  EXPECT_EQ(ms, 951868800000LL - 5 * 3600000);
  // Finer than a millisecond: refused, or the rest handed back.
  EXPECT_FALSE(parse_timestamp_text("2000-03-01T00:00:00.0005Z", ms));
  ASSERT_TRUE(parse_timestamp_text("2000-03-01T00:00:00.500000Z", ms));
  int64_t sub = -1;
  ASSERT_TRUE(parse_timestamp_text("1969-12-31T23:59:59.9995Z", ms, &sub));
  EXPECT_EQ(ms, -1);
  EXPECT_EQ(sub, 500000);
}

// No value is stored differently from its input: a timestamp keeps milliseconds and a
// time nanoseconds, so a finer fraction is refused with its reason, not truncated.
TEST(CqlTypes, TimeFractionsBeyondTheTypeAreRefused) {
  EXPECT_EQ(enc("timestamp", "\"2020-01-01T00:00:00.1234Z\""),
            "ERR:expected timestamp, got \"2020-01-01T00:00:00.1234Z\" (finer than the millisecond a timestamp "
            "keeps: would be truncated)");
  EXPECT_EQ(enc("timestamp", "\"2020-01-01T00:00:00.123000Z\""), enc("timestamp", "\"2020-01-01T00:00:00.123Z\""));
  EXPECT_EQ(enc("time", "\"12:00:00.1234567891\"").substr(0, 4), "ERR:");
  EXPECT_EQ(enc("time", "\"12:00:00.1234567890\""), enc("time", "\"12:00:00.123456789\""));
}

}  // namespace
}  // namespace airstream::cql
