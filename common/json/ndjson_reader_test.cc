// LineReader on ordinary and hostile input: empty input, no final newline, CRLF,
// blank lines, a 20 MiB line against the limit, NUL bytes, invalid UTF-8, and lines
// split across reads at every byte.
#include "common/json/ndjson_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "common/json/json.h"
#include "common/test_util.h"

namespace airstream {
namespace {

using testing::read_all;
using testing::TempFile;

TEST(LineReader, EmptyInput) {
  EXPECT_TRUE(read_all("").empty());
}

TEST(LineReader, OnlyBlankLines) {
  EXPECT_TRUE(read_all("\n\n  \n\r\n\t\n").empty());
}

TEST(LineReader, LinesNumbersAndOffsets) {
  auto r = read_all("{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "{\"a\":1}");
  EXPECT_EQ(r[0].line, 1u);
  EXPECT_EQ(r[0].offset, 0u);
  EXPECT_EQ(r[1].text, "{\"b\":2}");  // CR stripped
  EXPECT_EQ(r[1].line, 3u);           // blank line 2 skipped but counted
  EXPECT_EQ(r[1].offset, 9u);
  EXPECT_EQ(r[2].text, "{\"c\":3}");  // no final newline
  EXPECT_EQ(r[2].line, 4u);
  EXPECT_EQ(r[2].offset, 18u);
  for (const auto& x : r) EXPECT_TRUE(x.error.empty());
}

TEST(LineReader, SplitAtEveryByte) {
  std::string input;
  for (int i = 0; i < 40; i++) {
    input += "{\"n\":" + std::to_string(i) + ",\"s\":\"" + std::string(static_cast<size_t>(i), 'x') + "\"}";
    input += (i % 3 == 0) ? "\r\n" : "\n";
    if (i % 7 == 0) input += "\n";
  }
  auto want = read_all(input);
  ASSERT_EQ(want.size(), 40u);
  for (size_t rs = 1; rs <= 64; rs++) {
    ReaderOptions opt;
    opt.read_size = rs;
    auto got = read_all(input, opt);
    ASSERT_EQ(got.size(), want.size()) << "read_size " << rs;
    for (size_t i = 0; i < got.size(); i++) {
      EXPECT_EQ(got[i].text, want[i].text) << "read_size " << rs;
      EXPECT_EQ(got[i].line, want[i].line);
      EXPECT_EQ(got[i].offset, want[i].offset);
    }
  }
}

TEST(LineReader, SplitThroughPipeAtEveryByte) {
  const std::string input = "{\"a\":\"é\"}\n{\"b\":[1,2]}\r\n\n{\"c\":null}";
  for (size_t cut = 0; cut <= input.size(); cut++) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::thread writer([&] {
      ssize_t n = write(fds[1], input.data(), cut);
      usleep(200);
      n = write(fds[1], input.data() + cut, input.size() - cut);
      (void)n;
      close(fds[1]);
    });
    LineReader reader(fds[0], "pipe");
    LineRecord rec;
    std::vector<std::string> got;
    while (reader.next(rec) == LineReader::Next::kRecord) got.emplace_back(rec.text);
    writer.join();
    close(fds[0]);
    ASSERT_EQ(got.size(), 3u) << "cut " << cut;
    EXPECT_EQ(got[0], "{\"a\":\"é\"}");
    EXPECT_EQ(got[1], "{\"b\":[1,2]}");
    EXPECT_EQ(got[2], "{\"c\":null}");
  }
}

TEST(LineReader, LongLineBeyondLimitIsReportedAndSkipped) {
  std::string huge(20u << 20, 'a');
  std::string input = "{\"first\":1}\n\"" + huge + "\"\n{\"last\":2}\n";
  ReaderOptions opt;
  opt.max_line = 16u << 20;
  auto r = read_all(input, opt);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "{\"first\":1}");
  EXPECT_EQ(r[1].error, "line too long");
  EXPECT_EQ(r[1].line, 2u);
  EXPECT_EQ(r[1].offset, 12u);
  EXPECT_LE(r[1].text.size(), 4096u);
  EXPECT_EQ(r[2].text, "{\"last\":2}");
  EXPECT_EQ(r[2].line, 3u);
  EXPECT_EQ(r[2].offset, 12u + huge.size() + 3);
}

TEST(LineReader, LongLineWithinLimitIsKept) {
  std::string big(20u << 20, 'b');
  ReaderOptions opt;
  opt.max_line = 32u << 20;
  auto r = read_all("\"" + big + "\"\n{}\n", opt);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].error.empty());
  EXPECT_EQ(r[0].text.size(), big.size() + 2);
  EXPECT_EQ(r[1].text, "{}");
}

TEST(LineReader, OverLongLastLineWithoutNewline) {
  ReaderOptions opt;
  opt.max_line = 10;
  opt.read_size = 4;
  auto r = read_all("{}\n0123456789abcdef", opt);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].error, "line too long");
  EXPECT_EQ(r[1].line, 2u);
}

TEST(LineReader, InvalidUtf8IsFlagged) {
  auto r = read_all("{\"a\":\"\xff\xfe\"}\n{\"ok\":\"\xc3\xa9\"}\n{\"bad\":\"\xc3\"}\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].error, "invalid UTF-8");
  EXPECT_TRUE(r[1].error.empty());
  EXPECT_EQ(r[2].error, "invalid UTF-8");
}

TEST(LineReader, NulBytesAreKeptForTheParserToReject) {
  std::string input("{\"a\":1}\0{\"b\":2}\n", 16);
  auto r = read_all(input);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text.size(), 15u);
  JsonParser p;
  std::string padded(r[0].text);
  padded.resize(padded.size() + kJsonPadding);
  EXPECT_NE(p.validate_padded(std::string_view(padded.data(), r[0].text.size())), simdjson::SUCCESS);
}

TEST(LineReader, RecordsArePaddedForSimdjson) {
  TempFile f("{\"k\":\"v\",\"n\":[1,2,3]}\n{\"k\":\"w\"}");
  LineReader reader({f.path()});
  LineRecord rec;
  JsonParser parser;
  std::vector<std::string> keys;
  while (reader.next(rec) == LineReader::Next::kRecord) {
    auto doc = parser.parse_padded(rec.text);
    std::string_view k;
    ASSERT_EQ(doc["k"].get_string().get(k), simdjson::SUCCESS);
    keys.emplace_back(k);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"v", "w"}));
}

TEST(LineReader, SeveralInputsKeepTheirOwnLineNumbers) {
  TempFile a("{\"a\":1}\n{\"a\":2}\n");
  TempFile b("{\"b\":1}\n");
  LineReader reader({a.path(), b.path()});
  LineRecord rec;
  std::vector<std::pair<std::string, uint64_t>> got;
  while (reader.next(rec) == LineReader::Next::kRecord) got.emplace_back(*rec.source, rec.line);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].first, b.path());
  EXPECT_EQ(got[2].second, 1u);
}

TEST(LineReader, MissingFileIsNoInput) {
  LineReader reader({"/nonexistent/airstream/input.ndjson"});
  LineRecord rec;
  EXPECT_EQ(reader.next(rec), LineReader::Next::kError);
  EXPECT_EQ(reader.status().exit_code(), kExitNoInput);
}

TEST(LineReader, IdleHookRunsBeforeBlocking) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  LineReader reader(fds[0], "pipe");
  int idle_calls = 0;
  reader.set_idle_hook([&] { idle_calls++; });
  std::thread writer([&] {
    ssize_t n = write(fds[1], "{}\n", 3);
    usleep(50000);
    n = write(fds[1], "[]\n", 3);
    (void)n;
    close(fds[1]);
  });
  LineRecord rec;
  int n = 0;
  while (reader.next(rec) == LineReader::Next::kRecord) n++;
  writer.join();
  close(fds[0]);
  EXPECT_EQ(n, 2);
  EXPECT_GE(idle_calls, 1);
}

}  // namespace
}  // namespace airstream
