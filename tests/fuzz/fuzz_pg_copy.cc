// libFuzzer target: pgload's COPY encoders (tools/pgload/encoder.h, copy_text.h,
// copy_binary.h). Every line is encoded as a row of a table with a column of each
// kind pgload converts, in COPY text and in COPY binary, with a route hash.
#include "encoder.h"
#include "fuzz_util.h"

using namespace airstream;
using namespace airstream::pgload;

namespace {

std::vector<EncoderColumn> columns() {
  const std::tuple<const char*, ColKind, BinType, const char*> defs[] = {
      {"id", ColKind::kUuid, BinType::kUuid, ""},
      {"n", ColKind::kInt16, BinType::kInt2, ""},
      {"i", ColKind::kInt32, BinType::kInt4, ""},
      {"b", ColKind::kInt64, BinType::kInt8, "a.b"},
      {"f", ColKind::kFloat, BinType::kFloat8, ""},
      {"r", ColKind::kFloat, BinType::kFloat4, ""},
      {"ok", ColKind::kBool, BinType::kBool, ""},
      {"s", ColKind::kText, BinType::kText, ""},
      {"at", ColKind::kTimestamp, BinType::kTimestamptz, ""},
      {"d", ColKind::kTimestamp, BinType::kDate, ""},
      {"j", ColKind::kJsonb, BinType::kJsonb, ""},
      {"js", ColKind::kJson, BinType::kJson, ""},
  };
  std::vector<EncoderColumn> cols;
  for (auto& [name, kind, bin, field] : defs) {
    EncoderColumn c;
    c.name = name;
    c.kind = kind;
    c.bin = bin;
    c.field = field;
    c.has_default = c.name == "d";
    cols.push_back(c);
  }
  return cols;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static RecordEncoder* encoders[2];
  if (!encoders[0]) {
    for (int k = 0; k < 2; k++) {
      encoders[k] = new RecordEncoder();
      if (!encoders[k]->init(columns(), k == 1).ok()) abort();
      encoders[k]->set_binary(k == 1, k == 1);
      encoders[k]->set_route_columns({0, 3});
    }
  }
  for (std::string_view line : fuzz::lines(fuzz::as_view(data, size))) {
    fuzz::Padded rec(line);
    for (RecordEncoder* enc : encoders) {
      std::string row, error;
      uint64_t sig = 0;
      if (enc->encode(rec.view(), row, sig, error)) (void)enc->route_hash();
    }
  }
  return 0;
}
