// libFuzzer target: pgload's COPY encoders (tools/pgload/encoder.h, copy_text.h,
// copy_binary.h). Every line is encoded as a row of a table with a column of each
// kind pgload converts, and of each type modifier it checks (typmod.h: varchar(n),
// char(n), timestamp(p), time(p), timetz, date, numeric(p,s), money), in COPY text
// and in COPY binary, with a route hash. Every line is also read as date/time text by
// the ISO-8601 readers that share common/time/iso8601.h, which must agree: a
// timestamp COPY binary takes is one cqlwrite takes too, at the same instant. A line
// RecordValidator refuses is refused by every encoder with the validator's reason.
#include <cstdlib>

#include "common/cql/types.h"
#include "encoder.h"
#include "fuzz_util.h"
#include "typmod.h"

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
  // Columns with a type modifier (COPY text): typname, typmod, kind.
  const std::tuple<const char*, const char*, int, ColKind> mods[] = {
      {"vc", "varchar", 9, ColKind::kText},         {"ch", "bpchar", 7, ColKind::kText},
      {"ts0", "timestamp", 0, ColKind::kTimestamp}, {"tz3", "timestamptz", 3, ColKind::kTimestamp},
      {"t3", "time", 3, ColKind::kTimestamp},       {"ttz", "timetz", -1, ColKind::kTimestamp},
      {"dt", "date", -1, ColKind::kTimestamp},      {"num", "numeric", -1, ColKind::kNumeric},
      {"m", "money", -1, ColKind::kOther},
  };
  for (auto& [name, type, typmod, kind] : mods) {
    EncoderColumn c;
    c.name = name;
    c.kind = kind;
    c.limits = type_limits(type, typmod, type, 2);
    if (c.name == "num") {
      c.numeric_precision = 6;
      c.numeric_scale = 2;
    }
    cols.push_back(c);
  }
  return cols;
}

// The line as date/time text: pgload's binary COPY readers and cqlwrite's CQL codec
// read it with the same scanner, so where both take a timestamp they agree on it.
void check_times(std::string_view line) {
  if (line.size() > 64) return;
  int64_t micros = 0, millis = 0, sub = 0;
  bool pg = parse_iso_timestamp(line, true, true, micros);
  bool cql = cql::parse_timestamp_text(line, millis, &sub);
  if (pg && (!cql || millis * 1000 + sub / 1000 != micros + 946684800000000LL)) abort();
  int32_t days = 0;
  if (parse_iso_date(line, days) && (!cql || millis != (days + 10957) * 86400000LL)) abort();
  std::string error;
  for (const char* t : {"timestamp", "timestamptz", "time", "timetz", "date"})
    (void)datetime_fits(line, type_limits(t, 2, t, -1), error);
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
    check_times(line);
    fuzz::Padded rec(line);
    static RecordValidator validator;
    std::string verdict = validator.check(rec.view());
    for (RecordEncoder* enc : encoders) {
      std::string row, error;
      uint64_t sig = 0;
      bool ok = enc->encode(rec.view(), row, sig, error);
      if (ok) (void)enc->route_hash();
      if (!verdict.empty() && (ok || error != verdict)) abort();
    }
  }
  return 0;
}
