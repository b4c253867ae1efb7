// The ISO-8601 scanner (iso8601.h): UTC offsets read field by field from their text,
// without allocating. Dates, times and fractions are read by inline functions in the
// header: they run for every timestamp a sink converts (a call each cost pgload's
// binary COPY about 6% of its CPU on timestamp-heavy records).
#include "common/time/iso8601.h"

namespace airstream::iso8601 {

bool parse_offset(std::string_view z, Offset& o) {
  o = Offset{};
  if (z == "Z" || z == "z") {
    o.designator = true;
    return true;
  }
  if (z.empty() || (z[0] != '+' && z[0] != '-')) return false;
  o.sign = z[0] == '-' ? -1 : 1;
  size_t p = 1;
  int64_t h = 0, m = 0;
  if (!digits(z, p, 2, h)) return false;
  if (p < z.size() && z[p] == ':') p++;
  if ((p < z.size() || z[p - 1] == ':') && !digits(z, p, 2, m)) return false;
  if (p != z.size()) return false;
  o.hours = static_cast<int>(h);
  o.minutes = static_cast<int>(m);
  return true;
}

}  // namespace airstream::iso8601
