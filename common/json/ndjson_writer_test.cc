// Writer: buffering, line-buffered mode, EPIPE as a quiet end, I/O errors.
#include "common/json/ndjson_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "common/test_util.h"

namespace airstream {
namespace {

TEST(Writer, BuffersUntilFlush) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  Writer w(fds[1], 1 << 16);
  ASSERT_TRUE(w.write_line("{\"a\":1}").ok());
  char buf[64];
  EXPECT_EQ(read(fds[0], buf, sizeof buf), -1);  // nothing written yet
  ASSERT_TRUE(w.flush().ok());
  ssize_t n = read(fds[0], buf, sizeof buf);
  ASSERT_EQ(n, 8);
  EXPECT_EQ(std::string(buf, 8), "{\"a\":1}\n");
  close(fds[0]);
  close(fds[1]);
}

TEST(Writer, LineBufferedFlushesEveryRecord) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  Writer w(fds[1], 1 << 16);
  w.set_line_buffered(true);
  w.buffer() += "[1]";
  w.buffer() += '\n';
  ASSERT_TRUE(w.end_record().ok());
  char buf[16];
  EXPECT_EQ(read(fds[0], buf, sizeof buf), 4);
  EXPECT_EQ(w.bytes_written(), 4u);
  close(fds[0]);
  close(fds[1]);
}

TEST(Writer, FlushesWhenBufferFills) {
  testing::TempFile f;
  int fd = open(f.path().c_str(), O_WRONLY | O_TRUNC);
  {
    Writer w(fd, 100);
    for (int i = 0; i < 50; i++) ASSERT_TRUE(w.write_line("0123456789").ok());
    EXPECT_GE(w.bytes_written(), 100u);
  }
  close(fd);
  EXPECT_EQ(f.read().size(), 50u * 11);
}

TEST(Writer, BrokenPipeIsQuiet) {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  Writer w(fds[1]);
  ASSERT_TRUE(w.write_line("x").ok());
  EXPECT_TRUE(w.flush().ok());
  EXPECT_TRUE(w.broken_pipe());
  close(fds[1]);
}

TEST(Writer, WriteErrorIsIoError) {
  int fd = open("/dev/full", O_WRONLY);
  if (fd < 0) GTEST_SKIP() << "/dev/full not available";
  Writer w(fd);
  ASSERT_TRUE(w.write_line("x").ok());
  Status st = w.flush();
  EXPECT_EQ(st.exit_code(), kExitIoErr);
  close(fd);
}

}  // namespace
}  // namespace airstream
