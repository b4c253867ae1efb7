// libFuzzer target: uxform's expression parser and extractor (common/transform/). The
// first line is an expression, compiled as the mapping "o=EXPR" (and as a --where
// filter); every further line is a record transformed with it. The transformer checks
// the grammar while it extracts: its verdict must be RecordValidator's (an invalid
// record rejected, a valid one never rejected as bad JSON); a difference aborts.
#include <cstdlib>

#include "common/json/record.h"
#include "common/transform/mapping.h"
#include "common/transform/transform.h"
#include "fuzz_util.h"

using namespace airstream;
using namespace airstream::transform;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ls = fuzz::lines(fuzz::as_view(data, size));
  if (ls.empty() || ls[0].size() > 2000) return 0;
  MappingOptions mo;
  mo.maps = {"o=" + std::string(ls[0]), "id", "n=.a.b[1]"};
  auto mapping = compile_mapping(mo);
  if (!mapping.ok()) {
    mo.maps = {"id", "n=.a.b[1]"};
    mo.wheres = {std::string(ls[0])};
    mapping = compile_mapping(mo);
    if (!mapping.ok()) mapping = compile_mapping(MappingOptions{});
    if (!mapping.ok()) return 0;
  }
  Transformer t(**mapping);
  static RecordValidator validator;
  std::string out, reason;
  for (size_t i = 1; i < ls.size(); i++) {
    out.clear();
    reason.clear();
    auto outcome = t.process_copy(ls[i], out, reason);
    fuzz::Padded padded(ls[i]);
    const bool valid = validator.check(padded.view()).empty();
    if (!valid && outcome != Transformer::Outcome::kRejected) abort();
    if (valid && (reason.rfind("invalid JSON", 0) == 0 || reason.rfind("invalid UTF-8", 0) == 0)) abort();
  }
  return 0;
}
