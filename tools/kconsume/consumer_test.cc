// Tests of kconsume's Consumer against an in-process librdkafka mock cluster: every
// record arrives once, a restart with the same group continues exactly after what
// was written, nothing is committed for records that never reached stdout (closed
// pipe), and non-JSON messages are rejected with their partition and offset.
#include "consumer.h"

#include <fcntl.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "common/stats.h"

namespace airstream::kconsume {
namespace {

class MockCluster {
 public:
  explicit MockCluster(int partitions) {
    char err[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "test.mock.num.brokers", "3", err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    mc_ = rd_kafka_handle_mock_cluster(rk_);
    rd_kafka_mock_topic_create(mc_, "t", partitions, 1);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
  }
  ~MockCluster() { rd_kafka_destroy(rk_); }
  const std::string& bootstraps() const { return bootstraps_; }

  void produce(int32_t partition, const std::string& value) {
    rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(partition),
                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    rd_kafka_poll(rk_, 0);
  }
  void flush() { ASSERT_EQ(rd_kafka_flush(rk_, 30000), RD_KAFKA_RESP_ERR_NO_ERROR); }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
  std::string bootstraps_;
};

struct RunResult {
  Status status;
  Status closed;
  std::string output;
  std::string rejects;
};

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/kconsume_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)system(("rm -rf " + dir_).c_str()); }

  Options options(const std::string& brokers, const std::string& group) {
    Options o;
    o.kafka.brokers = brokers;
    // The mock coordinator only lets a new member in once the previous one timed out.
    o.kafka.props = {"log_level=2", "session.timeout.ms=6000", "heartbeat.interval.ms=500"};
    o.topics = {"t"};
    o.group = group;
    o.exit_at_end = true;
    o.connect_timeout = std::chrono::milliseconds(20000);
    o.common.reject.file = dir_ + "/rejects";
    return o;
  }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs a Consumer with output to a file (or to fd when given).
  RunResult run(const Options& o, int fd = -1) {
    std::string out_path = dir_ + "/out";
    int out_fd = fd >= 0 ? fd : open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    RunResult r;
    {
      Writer out(out_fd);
      Rejecter rej;
      EXPECT_TRUE(rej.open("kconsume", o.common.reject).ok());
      Stats stats("kconsume");
      ConsumeCounters c{&stats.counter("messages"), &stats.counter("records"), &stats.counter("bytes"),
                        &stats.counter("rejected"), nullptr};
      Consumer consumer(o, out, rej, c);
      r.status = consumer.open();
      if (r.status.ok()) r.status = consumer.run();
      r.closed = consumer.close();
    }
    if (fd < 0) {
      close(out_fd);
      r.output = slurp(out_path);
    }
    r.rejects = slurp(o.common.reject.file);
    return r;
  }

  std::string dir_;
};

std::multiset<std::string> lines(const std::string& text) {
  std::multiset<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.insert(l);
  return out;
}

TEST_F(ConsumerTest, RestartWithSameGroupContinuesWhereItStopped) {
  MockCluster kafka(4);
  std::multiset<std::string> expected;
  for (int i = 0; i < 1000; i++) {
    std::string v = "{\"i\":" + std::to_string(i) + "}";
    kafka.produce(i % 4, v);
    expected.insert(v);
  }
  kafka.flush();

  Options first = options(kafka.bootstraps(), "g1");
  first.count = 300;
  RunResult a = run(first);
  ASSERT_TRUE(a.status.ok()) << a.status.message();
  ASSERT_TRUE(a.closed.ok()) << a.closed.message();
  auto got_a = lines(a.output);
  EXPECT_EQ(got_a.size(), 300u);

  RunResult b = run(options(kafka.bootstraps(), "g1"));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  auto got_b = lines(b.output);
  EXPECT_EQ(got_b.size(), 700u);
  std::multiset<std::string> all = got_a;
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(all, expected) << "the two runs together must hold every record exactly once";

  // A third run has nothing left.
  RunResult c = run(options(kafka.bootstraps(), "g1"));
  ASSERT_TRUE(c.status.ok()) << c.status.message();
  EXPECT_EQ(c.output, "");
}

TEST_F(ConsumerTest, NothingCommittedForRecordsThatNeverReachedStdout) {
  MockCluster kafka(2);
  for (int i = 0; i < 200; i++) kafka.produce(i % 2, "{\"i\":" + std::to_string(i) + "}");
  kafka.flush();

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);  // the reader is gone: every write fails with EPIPE
  Options o = options(kafka.bootstraps(), "g2");
  RunResult a = run(o, fds[1]);
  close(fds[1]);
  EXPECT_TRUE(a.status.ok()) << a.status.message();

  RunResult b = run(options(kafka.bootstraps(), "g2"));
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(lines(b.output).size(), 200u) << "records lost to a closed pipe must be read again";
}

TEST_F(ConsumerTest, NonJsonMessagesAreRejectedWithTheirOffsets) {
  MockCluster kafka(1);
  kafka.produce(0, "{\"ok\":1}");
  kafka.produce(0, "not json");
  kafka.produce(0, "{\"ok\":2}");
  kafka.produce(0, "{\"broken\":");
  kafka.flush();
  Options o = options(kafka.bootstraps(), "");  // assign mode
  RunResult r = run(o);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.output, "{\"ok\":1}\n{\"ok\":2}\n");
  auto rej = lines(r.rejects);
  ASSERT_EQ(rej.size(), 2u) << r.rejects;
  auto it = rej.begin();
  EXPECT_NE(it->find("\"offset\":1,\"topic\":\"t\",\"partition\":0,\"error\":\"value: not valid JSON"),
            std::string::npos)
      << *it;
  ++it;
  EXPECT_NE(it->find("\"offset\":3,\"topic\":\"t\",\"partition\":0,"), std::string::npos) << *it;
}

TEST_F(ConsumerTest, AssignModeOffsets) {
  MockCluster kafka(2);
  for (int i = 0; i < 10; i++) kafka.produce(0, "{\"p0\":" + std::to_string(i) + "}");
  for (int i = 0; i < 10; i++) kafka.produce(1, "{\"p1\":" + std::to_string(i) + "}");
  kafka.flush();
  Options tail = options(kafka.bootstraps(), "");
  tail.partitions = {1};
  tail.offset = OffsetSpec{OffsetSpec::kTail, 2};
  EXPECT_EQ(run(tail).output, "{\"p1\":8}\n{\"p1\":9}\n");
  Options abs = options(kafka.bootstraps(), "");
  abs.partitions = {0};
  abs.offset = OffsetSpec{OffsetSpec::kAbsolute, 7};
  EXPECT_EQ(run(abs).output, "{\"p0\":7}\n{\"p0\":8}\n{\"p0\":9}\n");
  Options end = options(kafka.bootstraps(), "");
  end.offset = OffsetSpec{OffsetSpec::kEnd, 0};
  EXPECT_EQ(run(end).output, "");
  Options missing = options(kafka.bootstraps(), "");
  missing.partitions = {5};
  EXPECT_EQ(run(missing).status.exit_code(), kExitNoInput);
}

}  // namespace
}  // namespace airstream::kconsume
