// Tool diagnostics on stderr: "<tool>: error: ..." and friends, with colour only on
// a terminal (and not when NO_COLOR is set), and a progress line that is cleared
// before any other message so the two never interleave.
#include "common/diag.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace airstream::diag {
namespace {

std::string g_tool = "airstream";
int g_verbosity = 0;
bool g_quiet = false;
int g_colour = -1;  // -1: not decided yet
std::mutex g_mu;
bool g_progress_shown = false;

bool colour() {
  if (g_colour < 0) g_colour = isatty(2) && getenv("NO_COLOR") == nullptr ? 1 : 0;
  return g_colour == 1;
}

void write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(2, s.data() + off, s.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void emit(const char* label, const char* colour_code, const char* fmt, va_list ap) {
  char msg[4096];
  vsnprintf(msg, sizeof msg, fmt, ap);
  std::string line;
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_progress_shown) {
    line += "\r\033[K";
    g_progress_shown = false;
  }
  line += g_tool;
  line += ": ";
  if (label != nullptr) {
    if (colour()) line += colour_code;
    line += label;
    if (colour()) line += "\033[0m";
    line += ": ";
  }
  line += msg;
  line += '\n';
  write_all(line);
}

}  // namespace

void init(std::string_view tool, int verbosity, bool quiet) {
  g_tool = std::string(tool);
  g_verbosity = verbosity;
  g_quiet = quiet;
}

const std::string& tool_name() {
  return g_tool;
}
int verbosity() {
  return g_quiet ? -1 : g_verbosity;
}

void error(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("error", "\033[1;31m", fmt, ap);
  va_end(ap);
}

void warn(const char* fmt, ...) {
  if (g_quiet) return;
  va_list ap;
  va_start(ap, fmt);
  emit("warning", "\033[1;33m", fmt, ap);
  va_end(ap);
}

void info(int level, const char* fmt, ...) {
  if (g_quiet || g_verbosity < level) return;
  va_list ap;
  va_start(ap, fmt);
  emit(nullptr, "", fmt, ap);
  va_end(ap);
}

void note(const char* fmt, ...) {
  if (g_quiet) return;
  va_list ap;
  va_start(ap, fmt);
  emit(nullptr, "", fmt, ap);
  va_end(ap);
}

void raw(std::string_view text) {
  std::string line;
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_progress_shown) {
    line += "\r\033[K";
    g_progress_shown = false;
  }
  line += text;
  if (line.empty() || line.back() != '\n') line += '\n';
  write_all(line);
}

void set_progress(std::string_view text) {
  // One terminal row, never wrapped: "\r" only goes back to the start of the last row.
  winsize ws{};
  if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && text.size() >= ws.ws_col) text = text.substr(0, ws.ws_col - 1);
  std::string line = "\r\033[K";
  line += text;
  std::lock_guard<std::mutex> lock(g_mu);
  write_all(line);
  g_progress_shown = true;
}

void clear_progress() {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_progress_shown) write_all("\r\033[K");
  g_progress_shown = false;
}

}  // namespace airstream::diag
