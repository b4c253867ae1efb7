// uxform's command line and main loop: NDJSON records in (files or stdin), one
// transformed record out per input record that passes --where, rejects through the
// common Rejecter (line, offset, field and reason), stats, signals (stop reading,
// flush what was transformed, exit 130/143) and exit 74 on a stdout closed early.
#include "run.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <iostream>

#include "common/cli.h"
#include "common/diag.h"
#include "common/json/ndjson_reader.h"
#include "common/json/ndjson_writer.h"
#include "common/kafka/envelope.h"
#include "common/reject.h"
#include "common/signals.h"
#include "common/stats.h"
#include "common/transform/mapping.h"
#include "common/transform/options.h"
#include "common/transform/transform.h"

namespace airstream::uxform {
namespace {

using transform::add_transform_options;
using transform::compile_mapping;
using transform::Format;
using transform::Mapping;
using transform::MappingOptions;
using transform::Transformer;

int fail(const Status& s) {
  diag::error("%s", s.message().c_str());
  if (s.exit_code() == kExitUsage) std::cerr << "Try 'uxform --help' for more information.\n";
  return s.exit_code();
}

}  // namespace

int run(int argc, char** argv) {
  install_signal_handlers();
  Cli cli("uxform",
          "uxform (airstream): transform NDJSON records: flatten randomuser.me results (--preset created_users)\n"
          "or apply your own mapping (-m 'out=expr', -f FILE), filter (--where), validate (--require),\n"
          "and write NDJSON, CSV or TSV (PostgreSQL COPY text format).");
  CommonOptions common;
  cli.add_common(common, kAllOptions);
  CLI::App& app = cli.app();
  MappingOptions mo;
  std::vector<std::string> inputs;
  std::string to = "ndjson", output;
  bool explain = false, envelope = false;
  app.add_option("files", inputs, "Input NDJSON files (default or '-': standard input)")->type_name("FILE");
  add_transform_options(app, mo, transform::kPresetShort | transform::kUxformSpellings);
  app.add_option("--to", to, "Output format: ndjson, csv (RFC 4180) or tsv (PostgreSQL COPY text)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"ndjson", "csv", "tsv"}));
  app.add_flag("--header", mo.header, "With --to csv/tsv: write a header line of column names first");
  app.add_flag("--strict", mo.strict, "Accepted for compatibility: every record is checked to be entirely valid JSON");
  app.add_flag("--envelope", envelope,
               "Input is kconsume --envelope: transform each value, keep topic/partition/offset; records\n"
               "filtered out or rejected pass on as position-only markers (for --acks pipes)");
  app.add_flag("--explain", explain, "Print the compiled mapping (fields, filters, paths read) and exit");
  app.add_option("-o,--output", output, "Write output to FILE instead of standard output")->type_name("FILE");
  if (auto code = cli.parse(argc, argv)) return *code;

  if (envelope && (to != "ndjson" || mo.header))
    return fail(Status(kExitUsage, "--envelope writes NDJSON envelopes: no --to csv/tsv or --header"));
  mo.format = to == "csv" ? Format::kCsv : to == "tsv" ? Format::kTsv : Format::kNdjson;
  auto compiled = compile_mapping(mo);
  if (!compiled.ok()) return fail(compiled.status());
  const Mapping& mapping = **compiled;
  if (explain) {
    std::cout << mapping.explain();
    return kExitOk;
  }

  int fd = 1;
  if (!output.empty() && output != "-") {
    fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail(Status(kExitIoErr, "cannot open " + output + ": " + strerror(errno)));
  }
  Writer out(fd);
  out.set_line_buffered(common.line_buffered);
  Rejecter rej;
  if (Status s = rej.open("uxform", common.reject); !s.ok()) return fail(s);
  Stats stats("uxform");
  auto& n_in = stats.counter("records_in", "Records read");
  auto& n_out = stats.counter("records_out", "Records written");
  auto& n_filtered = stats.counter("records_filtered", "Records left out by --where");
  auto& n_rejected = stats.counter("records_rejected", "Records rejected");
  stats.set_progress_counters({"records_in", "records_out", "records_rejected"});
  if (Status s = stats.start(common.stats_options); !s.ok()) return fail(s);

  diag::info(1, "%zu output fields, %zu filters, %zu input paths read, output %s", mapping.fields.size(),
             mapping.wheres.size(), mapping.extractor.slot_count(), to.c_str());
  Transformer tx(mapping);
  if (mo.header) tx.header(out.buffer());
  // simdjson checks UTF-8 while indexing each record: no need to do it twice.
  common.reader.validate_utf8 = false;
  LineReader reader(inputs, common.reader);
  reader.set_idle_hook([&] { (void)out.flush(); });
  LineRecord rec;
  std::string reason;
  int code = kExitOk;
  const bool several = inputs.size() > 1;
  EnvelopeParser env_parser;
  EnvelopeView env;
  std::string context;
  while (code == kExitOk && reader.next(rec) == LineReader::Next::kRecord) {
    bump_own(n_in);  // counted by this thread alone (stats only reads)
    Transformer::Outcome outcome;
    std::string& buf = out.buffer();
    const size_t mark = buf.size();
    std::string_view record = rec.text;
    uint64_t offset = rec.offset;
    bool positioned = false;  // --envelope: the record's position is known
    if (!rec.error.empty()) {
      reason.assign(rec.error);
      outcome = Transformer::Outcome::kRejected;
    } else if (!envelope) {
      outcome = tx.process(rec.text, buf, reason);
    } else if (reason = env_parser.parse(rec.text, env); !reason.empty()) {
      outcome = Transformer::Outcome::kRejected;  // not an envelope: no position to pass on
    } else if (env.kind == EnvelopeView::kSkip) {
      buf.append(rec.text);  // an earlier stage's marker goes on as it is
      buf.push_back('\n');
      outcome = Transformer::Outcome::kWritten;
    } else {
      positioned = true;
      offset = static_cast<uint64_t>(env.offset);
      append_envelope_position(buf, env.topic, env.partition, env.offset);
      buf.append(",\"value\":");
      if (env.kind == EnvelopeView::kNoJson) {
        reason.assign(env.reason);
        outcome = Transformer::Outcome::kRejected;
      } else {
        record = env.value;
        outcome = tx.process(env.value, buf, reason);
      }
      if (outcome == Transformer::Outcome::kWritten) {
        buf.back() = '}';  // in place of the transformed record's '\n'
        buf.push_back('\n');
      } else {
        // Dropped or rejected: a marker, so that the offset is acknowledged too.
        buf.resize(mark);
        append_envelope_marker(buf, env.topic, env.partition, env.offset,
                               outcome == Transformer::Outcome::kFiltered ? "filtered" : "rejected");
        context = "\"topic\":" + json_string(env.topic) + ",\"partition\":" + std::to_string(env.partition);
      }
    }
    switch (outcome) {
      case Transformer::Outcome::kWritten:
        bump_own(n_out);
        if (Status s = out.end_record(); !s.ok()) code = fail(s);
        if (out.broken_pipe()) goto done;
        break;
      case Transformer::Outcome::kFiltered:
        bump_own(n_filtered);
        break;
      case Transformer::Outcome::kRejected: {
        bump_own(n_rejected);
        RejectInfo info{rec.line,
                        offset,
                        reason,
                        record,
                        positioned ? std::string_view(context) : std::string_view(),
                        several ? *rec.source : std::string_view()};
        if (Status s = rej.reject(info); !s.ok()) code = fail(s);
        break;
      }
    }
    // The marker goes out after the reject was reported.
    if (positioned && outcome != Transformer::Outcome::kWritten && code == kExitOk) {
      if (Status s = out.end_record(); !s.ok()) code = fail(s);
      if (out.broken_pipe()) goto done;
    }
  }
done:
  if (Status s = out.flush(); !s.ok() && code == kExitOk) code = fail(s);
  (void)rej.flush();
  (void)stats.finish();
  if (fd != 1) ::close(fd);
  if (code != kExitOk) return code;
  if (out.broken_pipe()) {
    // The reader went away while records remained (the failed write held some): in a
    // pipe's middle stage that is lost output, not success, as in kconsume.
    diag::error("standard output closed early (broken pipe): stopped after %llu records read",
                static_cast<unsigned long long>(n_in.load()));
    return kExitIoErr;
  }
  if (reader.stopped()) return stop_exit_code();
  if (!reader.status().ok()) return fail(reader.status());
  diag::info(1, "%llu records in, %llu out, %llu filtered, %llu rejected in %.3f s",
             static_cast<unsigned long long>(n_in.load()), static_cast<unsigned long long>(n_out.load()),
             static_cast<unsigned long long>(n_filtered.load()), static_cast<unsigned long long>(n_rejected.load()),
             stats.elapsed_seconds());
  if (rej.count() > 0)
    diag::note("%llu of %llu records rejected", static_cast<unsigned long long>(rej.count()),
               static_cast<unsigned long long>(n_in.load()));
  return rej.finish_code();
}

}  // namespace airstream::uxform
