// Tests of kconsume's background writer of stdout (output_pump.h): a buffer handed
// over is written in order while the caller goes on; a reader that does not read
// keeps it busy without blocking the caller (wait_until gives up at its deadline);
// a reader that went away is a broken pipe, not an error.
#include "output_pump.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>

namespace airstream::kconsume {
namespace {

using Clock = std::chrono::steady_clock;

std::string drain(int fd, size_t want) {
  std::string got;
  char buf[65536];
  while (got.size() < want) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(OutputPump, WritesInOrderWhileTheCallerGoesOn) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  {
    OutputPump pump(p[1]);
    std::string a(200000, 'a');  // more than the pipe holds: the writer waits for the reader
    pump.start(a);
    EXPECT_TRUE(a.empty());
    EXPECT_TRUE(pump.busy());
    EXPECT_FALSE(pump.wait_until(Clock::now() + std::chrono::milliseconds(50)));
    std::string got = drain(p[0], 200000);
    pump.wait();
    EXPECT_EQ(pump.done(), 1u);
    std::string b = "second\n";
    pump.start(b);
    pump.wait();
    got += drain(p[0], 7);
    EXPECT_EQ(got, std::string(200000, 'a') + "second\n");
    EXPECT_TRUE(pump.failed().ok());
    EXPECT_FALSE(pump.broken_pipe());
  }
  ::close(p[0]);
  ::close(p[1]);
}

TEST(OutputPump, ReaderGoneIsABrokenPipe) {
  signal(SIGPIPE, SIG_IGN);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ::close(p[0]);
  OutputPump pump(p[1]);
  std::string a = "x\n";
  pump.start(a);
  pump.wait();
  EXPECT_TRUE(pump.broken_pipe());
  EXPECT_TRUE(pump.failed().ok());
  ::close(p[1]);
}

}  // namespace
}  // namespace airstream::kconsume
