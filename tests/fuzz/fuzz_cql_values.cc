// libFuzzer target: the CQL value encoders and decoders (common/cql/types.h). The first
// line is a CQL type (schema text), every further line a JSON record whose field "v"
// is encoded as that type after the record grammar accepts it (as cqlwrite does); the
// bytes of each encoded value are decoded back to text. The raw input is also read
// as a type option ([option] of result metadata) and a cell of that type.
#include "common/cql/types.h"
#include "common/cql/wire.h"
#include "common/json/record.h"
#include "fuzz_util.h"

using namespace airstream;
using namespace airstream::cql;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all = fuzz::as_view(data, size);
  {
    BodyReader r(all);
    Type t = read_type_option(r);
    if (r.ok()) (void)format_value(t, r.rest());
  }
  auto ls = fuzz::lines(all);
  if (ls.empty() || ls[0].size() > 200) return 0;
  auto type = parse_type(ls[0]);
  if (!type.ok()) return 0;
  static RecordValidator validator;
  static JsonParser parser;
  for (size_t i = 1; i < ls.size(); i++) {
    fuzz::Padded rec(ls[i]);
    if (!validator.check(rec.view()).empty()) continue;
    simdjson::ondemand::document doc;
    simdjson::ondemand::value v;
    if (parser.parse_padded(rec.view()).get(doc) || doc.find_field_unordered("v").get(v)) continue;
    std::string out, err;
    if (!encode_json_value(*type, v, out, err)) continue;
    BodyReader cell(out);
    (void)format_value(*type, cell.bytes());
  }
  return 0;
}
