// Tests of the acknowledgement channel (common/kafka/ack_channel.h): the line
// protocol, FIFO creation, opening in either order without blocking, cumulative and
// contiguous acknowledgements, "end", and a sender that goes away without it.
#include "common/kafka/ack_channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <thread>

namespace airstream {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/ack_channel_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { (void)system(("rm -rf " + path_).c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls the reader until pred(state, acks) holds (bounded: 10 s).
template <class Pred>
AckReader::State poll_until(AckReader& r, std::vector<AckLine>& acks, Pred pred) {
  AckReader::State st = r.poll(acks);
  for (int i = 0; i < 1000 && !pred(st, acks); i++) {
    r.wait(10ms);
    st = r.poll(acks);
  }
  return st;
}

TEST(AckProtocol, FormatsAndParsesLines) {
  std::string s;
  append_ack_line(s, "users_created", 3, 41);
  EXPECT_EQ(s, "ack users_created 3 41\n");
  AckLine a;
  EXPECT_EQ(parse_ack_line("ack users_created 3 41", a), "");
  EXPECT_EQ(a.kind, AckLine::kAck);
  EXPECT_EQ(a.topic, "users_created");
  EXPECT_EQ(a.partition, 3);
  EXPECT_EQ(a.offset, 41);
  EXPECT_EQ(parse_ack_line("end", a), "");
  EXPECT_EQ(a.kind, AckLine::kEnd);
  EXPECT_EQ(parse_ack_line("airstream-acks 1 cqlwrite", a), "");
  EXPECT_EQ(a.kind, AckLine::kHello);
  EXPECT_EQ(a.topic, "cqlwrite");
  EXPECT_NE(parse_ack_line("ack t 0", a), "");
  EXPECT_NE(parse_ack_line("ack t x 1", a), "");
  EXPECT_NE(parse_ack_line("ack t 0 -1", a), "");
  EXPECT_NE(parse_ack_line("ack t 0 1 extra", a), "");
  EXPECT_NE(parse_ack_line("airstream-acks 2", a), "");
  EXPECT_NE(parse_ack_line("hello", a), "");
}

TEST(AckChannel, EnsureFifoCreatesOnceAndRefusesOtherFiles) {
  TempDir d;
  EXPECT_TRUE(ensure_fifo(d.file("acks")).ok());
  EXPECT_TRUE(ensure_fifo(d.file("acks")).ok());  // already there
  struct stat st;
  ASSERT_EQ(stat(d.file("acks").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  std::ofstream(d.file("plain")) << "x";
  Status s = ensure_fifo(d.file("plain"));
  EXPECT_EQ(s.exit_code(), kExitUsage);
  EXPECT_NE(s.message().find("not a named pipe"), std::string::npos);
}

TEST(AckChannel, ReaderFirstThenSenderContiguousAcks) {
  TempDir d;
  AckReader r;
  ASSERT_TRUE(r.open(d.file("acks")).ok());  // no writer yet: does not block
  std::vector<AckLine> acks;
  EXPECT_EQ(r.poll(acks), AckReader::State::kWaiting);
  EXPECT_EQ(r.poll(acks), AckReader::State::kWaiting);

  AckSender s;
  ASSERT_TRUE(s.open(d.file("acks"), "cqlwrite", 5ms).ok());
  uint32_t t = s.topic_id("users");
  EXPECT_EQ(s.topic_id("users"), t);
  for (int64_t o = 10; o < 15; o++) s.track(t, 0, o);
  s.track(t, 1, 7);
  s.done(t, 0, 12);  // 10 and 11 are not done: nothing to say for partition 0
  s.done(t, 1, 7);
  auto st = poll_until(r, acks, [](AckReader::State, const std::vector<AckLine>& a) { return !a.empty(); });
  EXPECT_EQ(st, AckReader::State::kConnected);
  EXPECT_EQ(r.sender(), "cqlwrite");
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].topic, "users");
  EXPECT_EQ(acks[0].partition, 1);
  EXPECT_EQ(acks[0].offset, 7);
  acks.clear();
  s.done(t, 0, 10);
  s.done(t, 0, 11);
  poll_until(r, acks, [](AckReader::State, const std::vector<AckLine>& a) { return !a.empty(); });
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().partition, 0);
  EXPECT_EQ(acks.back().offset, 12);  // 10, 11, 12 done; 13 not
  acks.clear();
  s.done(t, 0, 13);
  s.done(t, 0, 14);
  ASSERT_TRUE(s.finish(5s).ok());
  st = poll_until(r, acks,
                  [](AckReader::State st, const std::vector<AckLine>&) { return st != AckReader::State::kConnected; });
  EXPECT_EQ(st, AckReader::State::kEnded);
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().offset, 14);  // sent before "end"
}

TEST(AckChannel, SenderFirstWaitsForTheReader) {
  TempDir d;
  AckSender s;
  ASSERT_TRUE(s.open(d.file("acks"), "pgload", 5ms).ok());  // no reader: does not block
  uint32_t t = s.topic_id("t");
  s.track(t, 2, 100);
  s.done(t, 2, 100);
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(s.connected());
  AckReader r;
  ASSERT_TRUE(r.open(d.file("acks")).ok());
  std::vector<AckLine> acks;
  poll_until(r, acks, [](AckReader::State, const std::vector<AckLine>& a) { return !a.empty(); });
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].partition, 2);
  EXPECT_EQ(acks[0].offset, 100);
}

TEST(AckChannel, SenderGoneWithoutEndBreaksTheChannel) {
  TempDir d;
  AckReader r;
  ASSERT_TRUE(r.open(d.file("acks")).ok());
  {
    AckSender s;
    ASSERT_TRUE(s.open(d.file("acks"), "cqlwrite", 5ms).ok());
    for (int i = 0; i < 200 && !s.connected(); i++) std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(s.connected());
  }  // destroyed without finish(): like a killed process, the descriptor closes
  std::vector<AckLine> acks;
  auto st = poll_until(r, acks, [](AckReader::State st, const std::vector<AckLine>&) {
    return st == AckReader::State::kBroken || st == AckReader::State::kEnded;
  });
  EXPECT_EQ(st, AckReader::State::kBroken);
  EXPECT_NE(r.error().find("without finishing"), std::string::npos);
}

TEST(AckChannel, GarbageBreaksTheChannel) {
  TempDir d;
  AckReader r;
  ASSERT_TRUE(r.open(d.file("acks")).ok());
  int fd = ::open(d.file("acks").c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "ack t 0 1\n", 10), 10);  // before the hello line
  std::vector<AckLine> acks;
  EXPECT_EQ(r.poll(acks), AckReader::State::kBroken);
  EXPECT_TRUE(acks.empty());
  ::close(fd);
}

TEST(AckChannel, FinishWithoutReaderFailsInTime) {
  TempDir d;
  AckSender s;
  ASSERT_TRUE(s.open(d.file("acks"), "cqlwrite", 5ms).ok());
  Status st = s.finish(50ms);
  EXPECT_EQ(st.exit_code(), kExitIoErr);
  EXPECT_NE(st.message().find("no reader"), std::string::npos);
}

TEST(AckChannel, ReaderGoneIsRemembered) {
  signal(SIGPIPE, SIG_IGN);  // as every tool does: EPIPE instead
  TempDir d;
  auto r = std::make_unique<AckReader>();
  ASSERT_TRUE(r->open(d.file("acks")).ok());
  AckSender s;
  ASSERT_TRUE(s.open(d.file("acks"), "cqlwrite", 5ms).ok());
  for (int i = 0; i < 200 && !s.connected(); i++) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(s.connected());
  r.reset();
  uint32_t t = s.topic_id("t");
  s.track(t, 0, 1);
  s.done(t, 0, 1);
  for (int i = 0; i < 200 && !s.reader_gone(); i++) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(s.reader_gone());
  EXPECT_FALSE(s.finish(50ms).ok());
}

}  // namespace
}  // namespace airstream
