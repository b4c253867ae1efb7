// kafka_dev_cluster: starts a development Kafka cluster (librdkafka's mock cluster) on
// loopback, creates the topics it is given, prints the bootstrap list as the first
// line of stdout once ready, then reads fault-injection commands on stdin until
// "quit", EOF, SIGINT or SIGTERM. See dev_cluster.cc for the command list.
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "dev_cluster.h"

namespace {

int g_sigpipe[2] = {-1, -1};

void on_signal(int) {
  char c = 1;
  ssize_t r = write(g_sigpipe[1], &c, 1);
  (void)r;
}

void usage(FILE* f) {
  std::fprintf(f,
               "Usage: kafka_dev_cluster [--brokers N] [--topic NAME:PARTITIONS[:RF]]... "
               "[NAME:PARTITIONS[:RF]]...\n"
               "Starts a development Kafka cluster (librdkafka mock brokers on 127.0.0.1),\n"
               "creates the topics, prints the bootstrap list on the first line of stdout.\n\n"
               "Options:\n"
               "  -h, --help              this help\n"
               "  --brokers N             number of brokers, ids 1..N (default 3)\n"
               "  --topic NAME:PARTS[:RF] create a topic (repeatable; also as a plain argument)\n\n"
               "%s",
               devcluster::command_help());
}

// Reads lines from stdin (fd 0) and runs them; returns at quit/EOF/signal.
void command_loop(devcluster::DevCluster& cluster) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    pollfd fds[2] = {{0, POLLIN, 0}, {g_sigpipe[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EOF or error
    buf.append(chunk, static_cast<size_t>(n));
    for (size_t nl; (nl = buf.find('\n')) != std::string::npos;) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;
      bool quit = false;
      std::string reply;
      std::string err = cluster.execute(line, &quit, &reply);
      if (!err.empty()) {
        std::printf("error: %s\n", err.c_str());
        std::fprintf(stderr, "kafka_dev_cluster: %s\n", err.c_str());
      } else {
        std::printf(reply.empty() ? "ok\n" : "ok %s\n", reply.c_str());
        std::fprintf(stderr, "kafka_dev_cluster: %s: ok\n", line.c_str());
      }
      std::fflush(stdout);
      if (quit) return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // glibc hands the top of each heap back to the kernel when it is freed, maps and
  // unmaps every fetch buffer, and faults them in again on the next fetch: that churn
  // was 85% of this process's CPU while a consumer read (3.5 CPU-us per 1 KB record,
  // 0.5 without it), CPU that the measured tools then lacked on a 2-core machine. Keep
  // freed memory (a GLIBC_TUNABLES malloc setting wins).
  if (const char* t = std::getenv("GLIBC_TUNABLES"); t == nullptr || std::strstr(t, "glibc.malloc.") == nullptr) {
    mallopt(M_TOP_PAD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // fixed at 128 KiB once M_TOP_PAD is set
  }
  int brokers = 3;
  std::vector<devcluster::TopicSpec> topics;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    }
    std::string val;
    bool is_brokers = a == "--brokers" || a.rfind("--brokers=", 0) == 0;
    bool is_topic = a == "--topic" || a.rfind("--topic=", 0) == 0;
    if (is_brokers || is_topic) {
      size_t eq = a.find('=');
      if (eq != std::string::npos) {
        val = a.substr(eq + 1);
      } else if (i + 1 < argc) {
        val = argv[++i];
      } else {
        std::fprintf(stderr, "kafka_dev_cluster: %s needs a value\n", a.c_str());
        return 64;
      }
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "kafka_dev_cluster: unknown option %s (see --help)\n", a.c_str());
      return 64;
    } else {
      is_topic = true;
      val = a;
    }
    if (is_brokers) {
      char* end = nullptr;
      long n = std::strtol(val.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 32) {
        std::fprintf(stderr, "kafka_dev_cluster: --brokers: expected 1..32, got \"%s\"\n", val.c_str());
        return 64;
      }
      brokers = static_cast<int>(n);
    } else {
      devcluster::TopicSpec t;
      std::string err = devcluster::parse_topic_spec(val, &t);
      if (!err.empty()) {
        std::fprintf(stderr, "kafka_dev_cluster: %s\n", err.c_str());
        return 64;
      }
      topics.push_back(t);
    }
  }

  if (pipe(g_sigpipe) != 0) return 71;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  devcluster::DevCluster cluster;
  std::string err = cluster.start(brokers);
  if (!err.empty()) {
    std::fprintf(stderr, "kafka_dev_cluster: %s\n", err.c_str());
    return 69;
  }
  for (const auto& t : topics) {
    err = cluster.create_topic(t);
    if (!err.empty()) {
      std::fprintf(stderr, "kafka_dev_cluster: %s\n", err.c_str());
      return 78;
    }
  }
  std::printf("%s\n", cluster.bootstraps());
  std::fflush(stdout);
  std::fprintf(stderr, "kafka_dev_cluster: %d brokers at %s\n", brokers, cluster.bootstraps());
  command_loop(cluster);
  std::fprintf(stderr, "kafka_dev_cluster: stopping\n");
  return 0;
}
