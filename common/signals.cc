// Signal handling: SIGINT/SIGTERM set an atomic stop flag and make an eventfd
// readable (write(2) is async-signal-safe), so both flag-polling loops and poll(2)
// loops notice. A second such signal exits immediately with 128+signo. SIGPIPE is
// ignored: writers see EPIPE instead and end quietly.
#include "common/signals.h"

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace airstream {
namespace {

std::atomic<int> g_stop_signal{0};
int g_stop_fd = -1;

void on_signal(int signo) {
  int expected = 0;
  if (!g_stop_signal.compare_exchange_strong(expected, signo)) {
    _exit(128 + signo);  // second signal: leave now
  }
  if (g_stop_fd >= 0) {
    uint64_t one = 1;
    ssize_t n = write(g_stop_fd, &one, sizeof one);
    (void)n;
  }
}

int ensure_fd() {
  if (g_stop_fd < 0) g_stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return g_stop_fd;
}

}  // namespace

void install_signal_handlers() {
  ensure_fd();
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool stop_requested() {
  return g_stop_signal.load(std::memory_order_relaxed) != 0;
}

int stop_signal() {
  return g_stop_signal.load(std::memory_order_relaxed);
}

int stop_exit_code() {
  int s = stop_signal();
  return s == 0 ? 0 : 128 + s;
}

int stop_fd() {
  return ensure_fd();
}

void request_stop(int signo) {
  int expected = 0;
  if (g_stop_signal.compare_exchange_strong(expected, signo) && ensure_fd() >= 0) {
    uint64_t one = 1;
    ssize_t n = write(g_stop_fd, &one, sizeof one);
    (void)n;
  }
}

void block_signals_in_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace airstream
