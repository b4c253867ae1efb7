// libFuzzer target: the record grammar (common/json/record.h). RecordValidator (simdjson
// with the byte-by-byte fallback) and check_json_text (the byte-by-byte reference)
// must give every input the same verdict; any difference aborts.
#include <cstdlib>

#include "common/json/record.h"
#include "fuzz_util.h"

using namespace airstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static RecordValidator validator;
  std::string_view text = fuzz::as_view(data, size);
  fuzz::Padded padded(text);
  std::string fast = validator.check(padded.view());
  std::string ref = check_json_text(text);
  if (fast.empty() != ref.empty()) abort();
  if (!text.empty() && text.size() < 400) (void)is_json_number(text);
  return 0;
}
