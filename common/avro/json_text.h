// JSON text of Avro values the codec writes in more than one place (codec.cc and the
// resolved decoding, decode_resolved.cc): bytes as strings of code points
// U+0000..U+00FF (Avro's JSON encoding), floats in their shortest exact text, with
// NaN and the infinities as strings and -0.0 keeping its sign.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

#include "common/json/json.h"

namespace airstream::avro {

inline void append_latin1(std::string& out, const unsigned char* p, size_t n) {
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; i++) {
    if (p[i] < 0x80) {
      s.push_back(static_cast<char>(p[i]));
    } else {
      s.push_back(static_cast<char>(0xC0 | (p[i] >> 6)));
      s.push_back(static_cast<char>(0x80 | (p[i] & 0x3F)));
    }
  }
  append_json_string(out, s);
}

template <class F>
inline void append_float(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else if (v == 0 && std::signbit(v)) {
    out += "-0.0";  // "-0" would read back as the integer 0, losing the sign
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

}  // namespace airstream::avro
