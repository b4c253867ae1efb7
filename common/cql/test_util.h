// Test helper (header only, used by the CQL *_test.cc files): runs a script with
// Debian's /usr/bin/python3 and the DataStax driver (python3-cassandra), an
// implementation independent of ours, to produce reference vectors at test time.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <unistd.h>

namespace airstream::testutil {

inline bool have_python_driver() {
  return std::system("/usr/bin/python3 -c 'import cassandra.murmur3, cassandra.segment' >/dev/null 2>&1") == 0;
}

// Runs the script; returns its stdout, or nullopt if it failed.
inline std::optional<std::string> run_python(const std::string& script) {
  char path[] = "/tmp/cqltestXXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return std::nullopt;
  ssize_t w = write(fd, script.data(), script.size());
  close(fd);
  if (w != static_cast<ssize_t>(script.size())) return std::nullopt;
  std::string cmd = std::string("/usr/bin/python3 ") + path;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (p) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  }
  int rc = p ? pclose(p) : -1;
  unlink(path);
  if (rc != 0) return std::nullopt;
  return out;
}

inline std::string to_hex(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

inline std::string from_hex(std::string_view h) {
  std::string out;
  auto v = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(v(h[i]) * 16 + v(h[i + 1])));
  return out;
}

}  // namespace airstream::testutil
