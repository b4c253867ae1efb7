// Diagnostics for tools: "<tool>: error: ..." / "warning:" / info lines on stderr,
// -q to silence warnings and info, -v (repeatable) for more. Colour only when stderr
// is a terminal and NO_COLOR is unset. Only tools call this (library code returns
// Status values instead); it is here so that all six tools speak alike.
#pragma once

#include <string>
#include <string_view>

namespace airstream::diag {

void init(std::string_view tool, int verbosity, bool quiet);
const std::string& tool_name();
int verbosity();

void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Printed when verbosity >= level (info(1, ...) needs -v).
void info(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Plain "<tool>: message" line, shown unless -q (summaries, not errors).
void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Writes a raw line to stderr, clearing a progress line first if one is shown.
void raw(std::string_view line);

// Progress line (TTY only): the stats module draws it, diagnostics clear it first.
void set_progress(std::string_view text);
void clear_progress();

}  // namespace airstream::diag
