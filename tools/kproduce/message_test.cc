// Unit tests for kproduce's MessageBuilder: validation, keys from dotted paths and
// the envelope format (raw value bytes, strings, base64, tombstones, headers).
#include "message.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace kproduce {
namespace {

// Input text followed by simdjson's padding, as LineReader hands it out.
class Padded {
 public:
  explicit Padded(std::string s) : len_(s.size()), buf_(std::move(s)) { buf_.append(simdjson::SIMDJSON_PADDING, '\0'); }
  std::string_view view() const { return std::string_view(buf_.data(), len_); }

 private:
  size_t len_;
  std::string buf_;
};

// The message views the input: it stays alive until the next call.
std::string build(MessageBuilder& b, const std::string& text, OutMessage* m) {
  static std::unique_ptr<Padded> input;
  input = std::make_unique<Padded>(text);
  return b.build(input->view(), m);
}

TEST(MessageBuilder, PlainValueIsTheLine) {
  MessageBuilder b({});
  OutMessage m;
  Padded p(R"({"a": [1, 2]})");
  ASSERT_EQ(b.build(p.view(), &m), "");
  EXPECT_EQ(m.value, R"({"a": [1, 2]})");
  EXPECT_FALSE(m.has_key);
  EXPECT_TRUE(m.has_value);
  EXPECT_EQ(m.partition, RD_KAFKA_PARTITION_UA);
}

TEST(MessageBuilder, InvalidJsonIsRejected) {
  MessageBuilder b({});
  OutMessage m;
  EXPECT_NE(build(b, "{\"a\":1", &m), "");
  EXPECT_NE(build(b, "not json", &m), "");
  EXPECT_NE(build(b, "{\"a\":1} {\"b\":2}", &m), "");
  EXPECT_NE(build(b, "{\"a\":tru}", &m), "");
  EXPECT_EQ(build(b, "42", &m), "");  // any JSON value is a valid record
}

TEST(MessageBuilder, KeyFromDottedPath) {
  BuildOptions o;
  o.key_path = "login.uuid";
  MessageBuilder b(o);
  OutMessage m;
  ASSERT_EQ(build(b, R"({"login":{"uuid":"u-1","x":2}})", &m), "");
  EXPECT_TRUE(m.has_key);
  EXPECT_EQ(m.key, "u-1");
  EXPECT_EQ(build(b, R"({"login":{}})", &m), "login.uuid: key field missing");
  EXPECT_EQ(build(b, R"({"login":{"uuid":null}})", &m),
            "login.uuid: key must be a string, number or boolean, got null");
  EXPECT_EQ(build(b, R"({"login":{"uuid":[1]}})", &m),
            "login.uuid: key must be a string, number or boolean, got array");
  ASSERT_EQ(build(b, R"({"login":{"uuid":1234567890123}})", &m), "");
  EXPECT_EQ(m.key, "1234567890123");
  ASSERT_EQ(build(b, R"({"login":{"uuid":"esc\"aped\u00e9"}})", &m), "");
  EXPECT_EQ(m.key, "esc\"aped\xc3\xa9");
}

TEST(MessageBuilder, KeyPathThroughArrays) {
  BuildOptions o;
  o.key_path = "results.1.id";
  MessageBuilder b(o);
  OutMessage m;
  ASSERT_EQ(build(b, R"({"results":[{"id":"a"},{"id":"b"}]})", &m), "");
  EXPECT_EQ(m.key, "b");
  EXPECT_EQ(build(b, R"({"results":[{"id":"a"}]})", &m), "results.1.id: key field missing");
}

TEST(MessageBuilder, FixedKeyAndHeaders) {
  BuildOptions o;
  o.fixed_key = "k";
  Header h;
  ASSERT_TRUE(parse_header_option("name=va=lue", &h));
  EXPECT_EQ(h.name, "name");
  EXPECT_EQ(h.value, "va=lue");
  EXPECT_FALSE(parse_header_option("novalue", &h));
  EXPECT_FALSE(parse_header_option("=x", &h));
  ASSERT_TRUE(parse_header_option("empty=", &h));
  o.extra_headers.push_back(h);
  MessageBuilder b(o);
  OutMessage m;
  ASSERT_EQ(build(b, "{}", &m), "");
  EXPECT_EQ(m.key, "k");
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].name, "empty");
  EXPECT_EQ(m.headers[0].value, "");
}

TEST(MessageBuilder, EnvelopeAllFields) {
  BuildOptions o;
  o.envelope = true;
  MessageBuilder b(o);
  OutMessage m;
  Padded p(R"({"topic":"t1","partition":3,"offset":9,"timestamp":1732170000000,"timestamp_type":"create",)"
           R"("key":"k","headers":[["a","1"],["b",null],["c",{"base64":"AAE="}]],"value":{ "x" : [1, 2.50] }})");
  ASSERT_EQ(b.build(p.view(), &m), "");
  EXPECT_EQ(m.topic, "t1");
  EXPECT_EQ(m.partition, 3);
  EXPECT_EQ(m.timestamp, 1732170000000);
  EXPECT_EQ(m.key, "k");
  EXPECT_EQ(m.value, R"({ "x" : [1, 2.50] })");  // exact bytes
  ASSERT_EQ(m.headers.size(), 3u);
  EXPECT_EQ(m.headers[0].value, "1");
  EXPECT_TRUE(m.headers[1].is_null);
  EXPECT_EQ(m.headers[2].value, std::string("\0\1", 2));
}

TEST(MessageBuilder, EnvelopeValueKinds) {
  BuildOptions o;
  o.envelope = true;
  MessageBuilder b(o);
  OutMessage m;
  ASSERT_EQ(build(b, R"({"topic":"t","value_string":"plain \"text\" "})", &m), "");
  EXPECT_EQ(m.value, "plain \"text\" ");
  ASSERT_EQ(build(b, R"({"topic":"t","key_base64":"AP8=","value_base64":"/wA="})", &m), "");
  EXPECT_EQ(m.key, std::string("\0\xff", 2));
  EXPECT_EQ(m.value, std::string("\xff\0", 2));
  ASSERT_EQ(build(b, R"({"topic":"t","key":"gone"})", &m), "");
  EXPECT_FALSE(m.has_value);  // tombstone
  ASSERT_EQ(build(b, R"({"topic":"t","value":"str"})", &m), "");
  EXPECT_EQ(m.value, "\"str\"");  // a JSON string value keeps its quotes
  ASSERT_EQ(build(b, R"({"topic":"t","value":[1,2] ,"key":null})", &m), "");
  EXPECT_EQ(m.value, "[1,2]");
  EXPECT_FALSE(m.has_key);
  ASSERT_EQ(build(b, R"({"topic":"t","value":null})", &m), "");
  EXPECT_EQ(m.value, "null");
}

TEST(MessageBuilder, EnvelopeErrors) {
  BuildOptions o;
  o.envelope = true;
  MessageBuilder b(o);
  OutMessage m;
  EXPECT_EQ(build(b, "[1]", &m), "envelope: expected an object");
  EXPECT_EQ(build(b, R"({"partition":"0"})", &m), "envelope: partition: expected partition number, got string");
  EXPECT_EQ(build(b, R"({"value":1,"value_string":"x"})", &m),
            "envelope: more than one of value, value_string, value_base64");
  EXPECT_EQ(build(b, R"({"key_base64":"***"})", &m), "envelope: key_base64: invalid base64");
  EXPECT_EQ(build(b, R"({"value_string":"x","value_base64":"AA=="})", &m),
            "envelope: more than one of value, value_string, value_base64");
  EXPECT_EQ(build(b, R"({"headers":[["only"]]})", &m), "envelope: headers: expected [name, value] pairs");
  EXPECT_EQ(build(b, R"({"headers":[[1,"x"]]})", &m), "envelope: headers: name must be a string");
  EXPECT_EQ(build(b, R"({"timestamp":-5})", &m),
            "envelope: timestamp: expected milliseconds since the epoch, got number");
  EXPECT_NE(build(b, R"({"topic":"t","value":{"a":1})", &m), "");
}

}  // namespace
}  // namespace kproduce
