// Tests of the envelope position parser and writer (common/kafka/envelope.h): records,
// markers, messages without a JSON payload, and lines that are not envelopes.
#include "common/kafka/envelope.h"

#include <gtest/gtest.h>

#include <string>

namespace airstream {
namespace {

std::string padded(std::string s) {
  s.append(simdjson::SIMDJSON_PADDING, '\0');
  return s;
}

std::string parse(EnvelopeParser& p, const std::string& line, EnvelopeView& v) {
  static std::string buf;
  buf = padded(line);
  return p.parse(std::string_view(buf).substr(0, line.size()), v);
}

TEST(Envelope, RecordFromKconsume) {
  EnvelopeParser p;
  EnvelopeView v;
  ASSERT_EQ(parse(p,
                  R"({"topic":"users","partition":3,"offset":42,"timestamp":1,"timestamp_type":"create",)"
                  R"("key":"k","headers":[["a","b"]],"value":{"id":1,"name":"x y"}})",
                  v),
            "");
  EXPECT_EQ(v.kind, EnvelopeView::kValue);
  EXPECT_EQ(v.topic, "users");
  EXPECT_EQ(v.partition, 3);
  EXPECT_EQ(v.offset, 42);
  EXPECT_EQ(v.value, R"({"id":1,"name":"x y"})");
}

TEST(Envelope, MembersInAnyOrderAndSpaces) {
  EnvelopeParser p;
  EnvelopeView v;
  ASSERT_EQ(parse(p, R"({ "value" : [1, 2] , "offset": 7, "partition": 0, "topic": "t" })", v), "");
  EXPECT_EQ(v.value, "[1, 2]");
  EXPECT_EQ(v.offset, 7);
}

TEST(Envelope, MarkersAndNoJsonPayloads) {
  EnvelopeParser p;
  EnvelopeView v;
  ASSERT_EQ(parse(p, R"({"topic":"t","partition":1,"offset":9,"skip":"filtered"})", v), "");
  EXPECT_EQ(v.kind, EnvelopeView::kSkip);
  EXPECT_EQ(v.skip, "filtered");
  ASSERT_EQ(parse(p, R"({"topic":"t","partition":1,"offset":9,"key":null})", v), "");
  EXPECT_EQ(v.kind, EnvelopeView::kNoJson);
  EXPECT_EQ(v.reason, "tombstone (no value)");
  ASSERT_EQ(parse(p, R"({"topic":"t","partition":1,"offset":9,"value_string":"abc"})", v), "");
  EXPECT_EQ(v.kind, EnvelopeView::kNoJson);
  EXPECT_EQ(v.reason, "value is not JSON (value_string)");
}

TEST(Envelope, NotEnvelopes) {
  EnvelopeParser p;
  EnvelopeView v;
  EXPECT_EQ(parse(p, R"({"id":1})", v), "envelope: no topic");
  EXPECT_EQ(parse(p, R"({"topic":"t","offset":1,"value":{}})", v), "envelope: no partition");
  EXPECT_EQ(parse(p, R"({"topic":"t","partition":0,"value":{}})", v), "envelope: no offset");
  EXPECT_EQ(parse(p, R"({"topic":"t","partition":-1,"offset":1})", v),
            "envelope: partition: expected a partition number");
  EXPECT_EQ(parse(p, R"({"topic":"t","partition":0,"offset":"1"})", v), "envelope: offset: expected an offset");
  EXPECT_EQ(parse(p, R"([1])", v), "envelope: expected an object");
  EXPECT_EQ(parse(p, R"({"topic":"t","partition":0,"offset":1,"value":{},"skip":"x"})", v),
            "envelope: both value and skip");
  EXPECT_NE(parse(p, R"({"topic":"t","partition":0,"offset":1} x)", v), "");
  EXPECT_NE(parse(p, R"({"topic":"t","partition":0,"offset":1,"value":{"a":})", v), "");
}

TEST(Envelope, WritesPositionsAndMarkers) {
  std::string out;
  append_envelope_position(out, "t\"x", 2, 5);
  EXPECT_EQ(out, R"({"topic":"t\"x","partition":2,"offset":5)");
  out.clear();
  append_envelope_marker(out, "t", 0, 1, "filtered");
  EXPECT_EQ(out, "{\"topic\":\"t\",\"partition\":0,\"offset\":1,\"skip\":\"filtered\"}\n");
  EnvelopeParser p;
  EnvelopeView v;
  out.pop_back();
  ASSERT_EQ(parse(p, out, v), "");
  EXPECT_EQ(v.kind, EnvelopeView::kSkip);
}

}  // namespace
}  // namespace airstream
