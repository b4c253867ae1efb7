// Rejecter: reject-file format (parsed back with simdjson), base64 for non-UTF-8
// records, --max-errors, stderr mode.
#include "common/reject.h"

#include <gtest/gtest.h>

#include "common/json/json.h"
#include "common/test_util.h"

namespace airstream {
namespace {

TEST(Rejecter, WritesNdjsonRecords) {
  testing::TempFile f;
  {
    Rejecter r;
    ASSERT_TRUE(r.open("tool", {f.path(), -1}).ok());
    ASSERT_TRUE(r.reject({3, 120, "post_code: expected string, got object", "{\"a\":\"é\\\"\"}\t", "", ""}).ok());
    ASSERT_TRUE(
        r.reject({7, 300, "invalid UTF-8", std::string_view("\xff\xfe", 2), "\"topic\":\"t\",\"partition\":2", ""})
            .ok());
    EXPECT_EQ(r.count(), 2u);
    EXPECT_EQ(r.finish_code(), kExitRejected);
  }
  std::string text = f.read();
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 2u);
  JsonParser p;
  auto doc = p.parse_copy(lines[0]);
  uint64_t line, offset;
  std::string_view err, rec;
  ASSERT_EQ(doc["line"].get_uint64().get(line), simdjson::SUCCESS);
  ASSERT_EQ(doc["offset"].get_uint64().get(offset), simdjson::SUCCESS);
  ASSERT_EQ(doc["error"].get_string().get(err), simdjson::SUCCESS);
  ASSERT_EQ(doc["record"].get_string().get(rec), simdjson::SUCCESS);
  EXPECT_EQ(line, 3u);
  EXPECT_EQ(offset, 120u);
  EXPECT_EQ(err, "post_code: expected string, got object");
  EXPECT_EQ(rec, "{\"a\":\"é\\\"\"}\t");

  doc = p.parse_copy(lines[1]);
  std::string_view topic, b64;
  int64_t partition;
  ASSERT_EQ(doc["topic"].get_string().get(topic), simdjson::SUCCESS);
  ASSERT_EQ(doc["partition"].get_int64().get(partition), simdjson::SUCCESS);
  ASSERT_EQ(doc["record_base64"].get_string().get(b64), simdjson::SUCCESS);
  std::string raw;
  ASSERT_TRUE(base64_decode(b64, raw));
  EXPECT_EQ(raw, std::string("\xff\xfe", 2));
  EXPECT_EQ(topic, "t");
  EXPECT_EQ(partition, 2);
}

TEST(Rejecter, MaxErrors) {
  testing::TempFile f;
  Rejecter r;
  ASSERT_TRUE(r.open("tool", {f.path(), 2}).ok());
  EXPECT_TRUE(r.reject({1, 0, "bad", "x", "", ""}).ok());
  EXPECT_TRUE(r.reject({2, 2, "bad", "y", "", ""}).ok());
  Status st = r.reject({3, 4, "bad", "z", "", ""});
  EXPECT_EQ(st.exit_code(), kExitDataErr);
}

TEST(Rejecter, ZeroMaxErrorsStopsAtFirst) {
  Rejecter r;
  ASSERT_TRUE(r.open("tool", {"", 0}).ok());
  ::testing::internal::CaptureStderr();
  Status st = r.reject({9, 99, "bad thing", "raw", "", ""});
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(st.exit_code(), kExitDataErr);
  EXPECT_NE(err.find("line 9"), std::string::npos);
  EXPECT_NE(err.find("bad thing"), std::string::npos);
}

// On stderr, a reject from Kafka names its whole position: topic, partition, offset.
TEST(Rejecter, StderrShowsTheKafkaPosition) {
  Rejecter r;
  ASSERT_TRUE(r.open("kconsume", {}).ok());
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(r.reject({3, 1234, "not JSON", "x", "\"topic\":\"t\",\"partition\":2", ""}).ok());
  r.set_offset_in_context(false);
  EXPECT_TRUE(r.reject({4, 99, "too big", "y", "\"topic\":\"t\",\"partition\":-1", ""}).ok());
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err,
            "kconsume: rejected line 3 {\"topic\":\"t\",\"partition\":2,\"offset\":1234}: not JSON: \"x\"\n"
            "kconsume: rejected line 4 {\"topic\":\"t\",\"partition\":-1}: too big: \"y\"\n");
}

TEST(Rejecter, HugeRecordIsTruncatedInFile) {
  testing::TempFile f;
  {
    Rejecter r;
    ASSERT_TRUE(r.open("tool", {f.path(), -1}).ok());
    ASSERT_TRUE(r.reject({1, 0, "line too long", std::string(1 << 20, 'q'), "", ""}).ok());
  }
  std::string text = f.read();
  EXPECT_LT(text.size(), 70000u);
  EXPECT_NE(text.find("\"truncated\":true"), std::string::npos);
}

TEST(Rejecter, UnwritableFileIsIoError) {
  Rejecter r;
  EXPECT_EQ(r.open("tool", {"/nonexistent-dir/rejects.ndjson", -1}).exit_code(), kExitIoErr);
}

}  // namespace
}  // namespace airstream
