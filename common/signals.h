// Signal handling shared by every tool. SIGINT/SIGTERM set a stop flag (and make an
// eventfd readable, so poll loops wake up); tools then drain their in-flight work and
// exit 130/143. A second SIGINT/SIGTERM exits at once. SIGPIPE is ignored so that a
// closed stdout shows up as EPIPE, which tools treat as a quiet end (like head(1)).
#pragma once

namespace airstream {

// Installs the handlers. Call once, early in main().
void install_signal_handlers();

// True once SIGINT or SIGTERM was received.
bool stop_requested();

// The signal that requested the stop (SIGINT/SIGTERM), or 0.
int stop_signal();

// 130 after SIGINT, 143 after SIGTERM, 0 if no stop was requested.
int stop_exit_code();

// A file descriptor that becomes readable once a stop is requested (never read it
// empty: it stays readable). For poll()/epoll loops.
int stop_fd();

// Requests a stop as if a signal had arrived (for tests and internal shutdown).
void request_stop(int signo);

// Blocks SIGINT/SIGTERM/SIGPIPE in the calling thread, so that worker threads never
// take the signal meant for the main thread. Call at the start of every thread.
void block_signals_in_thread();

}  // namespace airstream
