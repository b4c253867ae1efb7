// Tests of kconsume's record formatting: JSON validation and compaction of values,
// rejects with reasons, and every member of the envelope format.
#include "format.h"

#include <gtest/gtest.h>

#include <string>

namespace airstream::kconsume {
namespace {

MessageView msg(std::string_view value) {
  MessageView m;
  m.topic = "users";
  m.partition = 3;
  m.offset = 42;
  m.timestamp = 1732170000000;
  m.timestamp_type = RD_KAFKA_TIMESTAMP_CREATE_TIME;
  m.value = value.data();
  m.value_len = value.size();
  return m;
}

std::string format(Formatter& f, const MessageView& m, std::string* error = nullptr) {
  std::string out = "prefix|", err;
  bool ok = f.append(m, out, err);
  if (error != nullptr) *error = err;
  if (!ok) {
    EXPECT_EQ(out, "prefix|") << "a failed append must leave the buffer as it was";
    return "REJECTED";
  }
  EXPECT_TRUE(err.empty());
  return out.substr(7);
}

TEST(Format, ValidJsonValueIsWrittenAsIs) {
  Formatter f({});
  EXPECT_EQ(format(f, msg(R"({"a":1,"b":[true,null,"x"]})")), "{\"a\":1,\"b\":[true,null,\"x\"]}\n");
  EXPECT_EQ(format(f, msg("42")), "42\n");
  EXPECT_EQ(format(f, msg(R"("just a string")")), "\"just a string\"\n");
}

TEST(Format, MultiLineJsonIsCompactedToOneLine) {
  Formatter f({});
  EXPECT_EQ(format(f, msg("{\n  \"a\": 1,\r\n  \"b\": \"x y\"\n}\n")), "{\"a\":1,\"b\":\"x y\"}\n");
}

TEST(Format, NonJsonValuesAreRejectedWithReason) {
  Formatter f({});
  std::string err;
  EXPECT_EQ(format(f, msg("not json"), &err), "REJECTED");
  EXPECT_NE(err.find("value: not valid JSON"), std::string::npos) << err;
  EXPECT_EQ(format(f, msg(R"({"a":1)"), &err), "REJECTED");
  EXPECT_EQ(format(f, msg(R"({"a":1} {"b":2})"), &err), "REJECTED");
  EXPECT_EQ(format(f, msg("{\"a\":\"\xff\"}"), &err), "REJECTED");
  EXPECT_EQ(format(f, msg(""), &err), "REJECTED");
  EXPECT_NE(err.find("empty"), std::string::npos) << err;
  MessageView tomb = msg("");
  tomb.value = nullptr;
  EXPECT_EQ(format(f, tomb, &err), "REJECTED");
  EXPECT_NE(err.find("tombstone"), std::string::npos) << err;
  // The parser is reused: a good record after bad ones still passes.
  EXPECT_EQ(format(f, msg("[1,2]")), "[1,2]\n");
}

TEST(Format, EnvelopeWithKeyHeadersAndJsonValue) {
  Formatter f({true, BinaryMode::kReject, {}});
  MessageView m = msg(R"({"id":7})");
  m.key = "abc";
  m.key_len = 3;
  rd_kafka_headers_t* h = rd_kafka_headers_new(3);
  rd_kafka_header_add(h, "trace", -1, "t-1", -1);
  rd_kafka_header_add(h, "empty", -1, nullptr, 0);
  rd_kafka_header_add(h, "bin", -1, "\xff\x00", 2);
  m.headers = h;
  EXPECT_EQ(format(f, m),
            R"({"topic":"users","partition":3,"offset":42,"timestamp":1732170000000,"timestamp_type":"create",)"
            R"("key":"abc","headers":[["trace","t-1"],["empty",null],["bin",{"base64":"/wA="}]],"value":{"id":7}})"
            "\n");
  rd_kafka_headers_destroy(h);
}

TEST(Format, EnvelopeValueEncodings) {
  Formatter f({true, BinaryMode::kReject, {}});
  MessageView m = msg("plain \"text\"");
  m.timestamp_type = RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME;
  EXPECT_EQ(format(f, m),
            R"({"topic":"users","partition":3,"offset":42,"timestamp":1732170000000,"timestamp_type":"log_append",)"
            R"("key":null,"headers":[],"value_string":"plain \"text\""})"
            "\n");
  MessageView tomb = msg("");
  tomb.value = nullptr;
  tomb.timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  EXPECT_EQ(format(f, tomb), R"({"topic":"users","partition":3,"offset":42,"timestamp":null,"timestamp_type":"none",)"
                             R"("key":null,"headers":[]})"
                             "\n");
  MessageView pretty = msg("{\n\"a\": [1, 2]\n}");
  EXPECT_NE(format(f, pretty).find(R"("value":{"a":[1,2]}})"), std::string::npos);
}

TEST(Format, BinaryKeysAndValuesNeedBase64) {
  std::string err;
  MessageView m = msg(std::string_view("\x80\x81", 2));
  Formatter strict({true, BinaryMode::kReject, {}});
  EXPECT_EQ(format(strict, m, &err), "REJECTED");
  EXPECT_NE(err.find("--binary base64"), std::string::npos) << err;
  MessageView k = msg("{}");
  k.key = "\xc3\x28";
  k.key_len = 2;
  EXPECT_EQ(format(strict, k, &err), "REJECTED");
  EXPECT_NE(err.find("key:"), std::string::npos) << err;

  Formatter b64({true, BinaryMode::kBase64, {}});
  EXPECT_NE(format(b64, m).find(R"("key":null,"headers":[],"value_base64":"gIE="})"), std::string::npos);
  EXPECT_NE(format(b64, k).find(R"("key_base64":"wyg=","headers":[],"value":{}})"), std::string::npos);
}

TEST(Format, KcatFormatTokens) {
  FormatOptions o;
  o.format = decode_format_escapes("%t [%p] @%o %T key=%k(%K) %S:%s|%%|%x\\t\\x41\\n");
  EXPECT_EQ(o.format, "%t [%p] @%o %T key=%k(%K) %S:%s|%%|%x\tA\n");
  Formatter f(o);
  MessageView m = msg("not json at all");
  m.key = "k1";
  m.key_len = 2;
  EXPECT_EQ(format(f, m), "users [3] @42 1732170000000 key=k1(2) 15:not json at all|%|%x\tA\n");
  MessageView tomb = msg("");
  tomb.value = nullptr;  // null key and value: empty text, length -1 (as kcat without -Z)
  EXPECT_EQ(format(f, tomb), "users [3] @42 1732170000000 key=(-1) -1:|%|%x\tA\n");
  o.format = "%R";
  Formatter r(o);
  EXPECT_EQ(format(r, msg("abc")), std::string("\0\0\0\3", 4));
  EXPECT_FALSE(o.wants_headers());
  o.format = "%h";
  EXPECT_TRUE(o.wants_headers());
  EXPECT_EQ(decode_format_escapes("a\\qb\\"), "a\\qb\\");  // unknown escapes stay
}

}  // namespace
}  // namespace airstream::kconsume
