// kconsume's options (kcat's spelling where kcat has one: -b -t -p -o -c -e -X -F,
// -g for the consumer group), checks across options, and parsing of -o.
#include "options.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <iostream>

#include "common/diag.h"
#include "common/transform/functions.h"
#include "common/units.h"

namespace airstream::kconsume {
namespace {

bool parse_int64(std::string_view s, int64_t& v) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// kcat's options that kconsume does not take, and what to use instead.
const std::pair<const char*, const char*> kKcatOnly[] = {
    {"-P", "kcat's producer mode: use kproduce"},
    {"-G", "kcat's -G GROUP TOPIC...: use -g GROUP -t TOPIC"},
    {"-D", "kcat's message delimiter: use -f '%s<delimiter>'"},
    {"-K", "kcat's key delimiter: use -f '%k<delimiter>%s\\n' (or -J for the key in JSON)"},
    {"-O", "kcat's offset prefix: use -f '%o<delimiter>%s\\n'"},
    {"-Z", "kcat's NULL printing: -J writes null keys and values as null"},
    {"-u", "kcat's unbuffered output: use --line-buffered"},
    {"-E", "kcat's do-not-exit-on-error: kconsume ends on errors with a sysexits status"},
    {"-d", "kcat's debug contexts: use -X debug=CONTEXTS"},
    {"-m", "kcat's metadata timeout: use --connect-timeout DURATION"},
    {"-k", "kcat's producer key: use kproduce -K"},
    {"-l", "kcat's file producer: use kproduce"},
    {"-T", "kcat's producer tee: use kproduce --tee"},
    {"-z", "kcat's producer compression: use kproduce -X compression.codec=..."},
};

// The first argument that is one of kcat's options kconsume does not take, with
// the hint, or nullptr. Values of options are skipped as far as they can be told.
const std::pair<const char*, const char*>* kcat_only_option(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "--") break;
    for (const auto& k : kKcatOnly)
      if (a == k.first || (a.size() > 2 && a.substr(0, 2) == k.first && std::strchr("DKdmkz", a[1]))) return &k;
    // An option that takes a value: skip it (-t TOPIC, -o -5, -f FORMAT, ...).
    if (a.size() == 2 && a[0] == '-' && std::strchr("btgpocXFfsr", a[1])) i++;
  }
  return nullptr;
}

}  // namespace

Result<int64_t> parse_timestamp(std::string_view t) {
  int64_t v = 0;
  if ((parse_int64(t, v) || transform::parse_iso8601(t, v)) && v >= 0) return v;
  return Status(kExitUsage, "expected milliseconds since the epoch or an ISO-8601 time, got '" + std::string(t) + "'");
}

Result<OffsetSpec> parse_offset_spec(std::string_view t) {
  OffsetSpec spec;
  if (t == "beginning") {
    spec.kind = OffsetSpec::kBeginning;
  } else if (t == "end") {
    spec.kind = OffsetSpec::kEnd;
  } else if (t == "stored") {
    spec.kind = OffsetSpec::kStored;
  } else if (t.rfind("e@", 0) == 0) {
    return Status(kExitUsage, "-o e@TIMESTAMP is where to stop, not where to start");
  } else if (!t.empty() && (t[0] == '@' || t.rfind("s@", 0) == 0)) {
    spec.kind = OffsetSpec::kTimestamp;
    auto ts = parse_timestamp(t.substr(t[0] == '@' ? 1 : 2));
    if (!ts) return Status(kExitUsage, "-o " + std::string(t) + ": " + ts.status().message());
    spec.value = *ts;
  } else if (t.size() >= 10 && t[4] == '-' && t[7] == '-') {
    spec.kind = OffsetSpec::kTimestamp;
    if (!transform::parse_iso8601(t, spec.value) || spec.value < 0)
      return Status(kExitUsage, "-o: not an ISO-8601 time: '" + std::string(t) + "'");
  } else if (!t.empty() && t[0] == '-') {
    spec.kind = OffsetSpec::kTail;
    if (!parse_int64(t.substr(1), spec.value) || spec.value <= 0)
      return Status(kExitUsage, "-o -N: expected a positive count, got '" + std::string(t) + "'");
  } else {
    spec.kind = OffsetSpec::kAbsolute;
    if (!parse_int64(t, spec.value) || spec.value < 0)
      return Status(kExitUsage,
                    "-o: expected beginning, end, stored, N, -N, @TIMESTAMP_MS, s@TIMESTAMP_MS, e@TIMESTAMP_MS or "
                    "an ISO-8601 time, got '" +
                        std::string(t) + "'");
  }
  return spec;
}

Result<OffsetQuery> parse_offset_query(std::string_view t) {
  // Topic names cannot hold ':' (Kafka allows [a-zA-Z0-9._-]); an ISO-8601 time can.
  size_t c1 = t.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : t.find(':', c1 + 1);
  auto bad = [&](const std::string& why) { return Status(kExitUsage, "-Q -t " + std::string(t) + ": " + why); };
  if (c2 == std::string_view::npos || c1 == 0) return bad("expected TOPIC:PARTITION:TIMESTAMP");
  OffsetQuery q;
  q.topic = std::string(t.substr(0, c1));
  int64_t p = 0;
  if (!parse_int64(t.substr(c1 + 1, c2 - c1 - 1), p) || p < 0 || p > INT32_MAX) return bad("bad partition");
  q.partition = static_cast<int32_t>(p);
  std::string_view ts = t.substr(c2 + 1);
  if (ts == "-1" || ts == "-2") {
    q.timestamp = ts == "-1" ? -1 : -2;
  } else {
    auto v = parse_timestamp(ts);
    if (!v) return bad(v.status().message() + " (or -1 for the end, -2 for the beginning)");
    q.timestamp = *v;
  }
  return q;
}

namespace {

// -L and -Q: which other options apply, and -Q's TOPIC:PARTITION:TIMESTAMP arguments.
template <typename Usage>
std::optional<int> metadata_mode_options(Options& o, Usage usage) {
  if (o.list_metadata && o.query_offsets) return usage("-L and -Q are two modes: pick one");
  if (!o.format_text.empty()) return usage("-f formats messages; -L and -Q print metadata (-J for JSON)");
  auto d = parse_duration(o.connect_timeout_text);
  if (!d || d->count() <= 0) return usage("--connect-timeout: expected a positive duration");
  o.connect_timeout = *d;
  if (o.list_metadata) return std::nullopt;
  if (o.topics.empty()) return usage("-Q needs -t TOPIC:PARTITION:TIMESTAMP (repeatable)");
  for (const auto& t : o.topics) {
    auto q = parse_offset_query(t);
    if (!q) return usage(q.status().message());
    o.queries.push_back(*q);
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, Options& o) {
  Cli cli("kconsume",
          "kconsume (airstream): read Kafka topics and write their JSON messages to stdout as NDJSON.\n"
          "Offsets are committed for records written and flushed to stdout; with --acks FIFO only for records\n"
          "the last stage of the pipe acknowledged as stored.");
  cli.add_common(o.common, kOutputOptions | kRejectOptions | kStatsOptions);
  CLI::App& app = cli.app();
  add_kafka_options(app, o.kafka);
  app.add_option("-t,--topic", o.topics, "Topic to read (repeatable); a name starting with ^ is a regex (group mode)")
      ->type_name("TOPIC");
  app.add_option("-g,--group", o.group, "Consumer group: subscribe, share partitions, commit offsets")
      ->type_name("GROUP");
  app.add_option("-p,--partition", o.partitions, "Read only partition N (repeatable; assign mode, no subscription)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber);
  app.add_option("-o,--offset", o.offset_texts,
                 "Start at beginning, end, stored, N, -N (N before the end), s@TIMESTAMP (milliseconds or "
                 "ISO-8601; also @TIMESTAMP or the time alone) (default: stored with -g, else beginning); "
                 "e@TIMESTAMP (repeat -o): end each partition before its first message that late, as kcat's")
      ->type_name("OFFSET");
  app.add_option("-c,--count", o.count, "Exit after N messages, written or rejected (default: no limit)")
      ->type_name("N");
  app.add_flag("-e,--exit", o.exit_at_end,
               "Exit once the end of every partition assigned to this member is reached (per member: with -g, "
               "other members' partitions are not waited for)");
  app.add_flag("--exit-at-group-end", o.exit_at_group_end,
               "With -g: exit only once the whole group has caught up (its committed offsets are at the end of "
               "every partition of the topics), for batch runs of several members");
  app.add_option("--timeout", o.timeout_text, "Exit when no message arrives for DURATION (e.g. 10s)")
      ->type_name("DURATION");
  app.add_option("--connect-timeout", o.connect_timeout_text,
                 "Give up (exit 69) when the cluster cannot be reached within DURATION")
      ->type_name("DURATION");
  app.add_option("--commit-interval", o.commit_interval_text, "Commit written offsets every DURATION (group only)")
      ->type_name("DURATION");
  app.add_flag("-J,--envelope", o.envelope,
               "Write one JSON object per message: topic, partition, offset, timestamp, key, headers, value "
               "(with -L or -Q: their JSON form, kcat's)");
  app.add_option("-f,--format", o.format_text,
                 "Write each message as FORMAT, with kcat's tokens: %s value, %k key, %t topic, %p partition, "
                 "%o offset, %T timestamp, %h headers, %S/%K value/key length, \\n \\t (no JSON check)")
      ->type_name("FORMAT");
  app.add_flag("-C", o.kcat_consume_mode, "kcat's consume mode, the only one (accepted and ignored)")->group("");
  app.add_option("--binary", o.binary, "Non-UTF-8 keys/values in --envelope: reject, or base64 (key_base64...)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"reject", "base64"}));
  app.add_option("--acks", o.acks,
                 "Commit only offsets the last stage acknowledged on named pipe FIFO (implies --envelope; "
                 "the stage runs with --envelope --acks FIFO)")
      ->type_name("FIFO");
  avro::add_consume_format_options(app, o.avro, true);
  app.add_flag("--lag", o.lag, "Print committed offset, end offset and lag per partition of the group as NDJSON");
  app.add_flag("-L,--list", o.list_metadata,
               "List brokers, topics and partitions (leader, replicas, ISRs, low and high watermarks) as kcat -L "
               "does, of every topic or of the -t topics");
  app.add_flag("-Q,--query", o.query_offsets,
               "Print the offset of the first message at or after each -t TOPIC:PARTITION:TIMESTAMP (milliseconds "
               "or ISO-8601; -1 the end, -2 the beginning) as kcat -Q does (-1: no message that late)");
  if (const auto* k = kcat_only_option(argc, argv)) {
    diag::init("kconsume", 0, false);
    diag::error("%s is %s", k->first, k->second);
    std::cerr << "Try 'kconsume --help' for more information.\n";
    return kExitUsage;
  }
  if (auto code = cli.parse(argc, argv)) return code;

  if (wants_property_list(o.kafka)) {
    std::cout << kafka_properties_text();
    return kExitOk;
  }
  auto usage = [](const std::string& msg) {
    diag::error("%s", msg.c_str());
    std::cerr << "Try 'kconsume --help' for more information.\n";
    return std::optional<int>(kExitUsage);
  };
  if (o.list_metadata || o.query_offsets) return metadata_mode_options(o, usage);
  if (o.topics.empty() && !wants_conf_dump(o.kafka)) return usage("no topic given (-t TOPIC)");
  if (o.lag && o.group.empty()) return usage("--lag needs a consumer group (-g GROUP)");
  if (!o.acks.empty() && o.group.empty())
    return usage("--acks needs a consumer group (-g GROUP): without one no offset is committed");
  if (!o.acks.empty()) o.envelope = true;
  if (o.exit_at_group_end && !o.group_mode())
    return usage("--exit-at-group-end needs a consumer group (-g GROUP) and no -p");
  for (const auto& text : o.offset_texts) {
    if (text.rfind("e@", 0) == 0) {
      if (o.stop_at) return usage("-o e@TIMESTAMP given twice");
      auto ts = parse_timestamp(std::string_view(text).substr(2));
      if (!ts) return usage("-o " + text + ": " + ts.status().message());
      o.stop_at = *ts;
      continue;
    }
    if (o.offset) return usage("-o: two starting points (" + text + " and an earlier one); e@ is the only second -o");
    auto spec = parse_offset_spec(text);
    if (!spec) return usage(spec.status().message());
    o.offset = *spec;
    if (spec->kind == OffsetSpec::kStored && o.group.empty()) return usage("-o stored needs a consumer group (-g)");
  }
  if (!o.partitions.empty()) {
    for (const auto& t : o.topics)
      if (!t.empty() && t[0] == '^') return usage("-p cannot be combined with a topic regex (" + t + ")");
  }
  if (o.count == 0) return usage("-c must be positive");
  auto duration = [&](const std::string& text, const char* name, std::chrono::milliseconds& out) {
    auto d = parse_duration(text);
    if (!d) return usage(std::string(name) + ": " + d.status().message());
    if (d->count() <= 0) return usage(std::string(name) + " must be positive");
    out = *d;
    return std::optional<int>();
  };
  if (!o.timeout_text.empty()) {
    std::chrono::milliseconds t{};
    if (auto code = duration(o.timeout_text, "--timeout", t)) return code;
    o.idle_timeout = t;
  }
  if (auto code = duration(o.connect_timeout_text, "--connect-timeout", o.connect_timeout)) return code;
  if (auto code = duration(o.commit_interval_text, "--commit-interval", o.commit_interval)) return code;
  if (!o.format_text.empty() && o.envelope) return usage("-f and -J (--envelope) are two output forms: pick one");
  o.format.format = decode_format_escapes(o.format_text);
  o.format.envelope = o.envelope;
  o.format.binary = o.binary == "base64" ? BinaryMode::kBase64 : BinaryMode::kReject;
  auto formats = avro::resolve_consume_format(o.avro, true);
  if (!formats) {
    if (formats.status().exit_code() == kExitUsage) return usage(formats.status().message());
    diag::error("%s", formats.status().message().c_str());
    return formats.status().exit_code();
  }
  o.format.avro_value = formats->avro_value;
  o.format.avro_key = formats->avro_key;
  o.format.avro_unions = formats->unions;
  o.format.avro_reader = formats->reader;
  if (formats->avro()) {
    auto client = avro::RegistryClient::create(formats->registry);
    if (!client) {
      diag::error("%s", client.status().message().c_str());
      return client.status().exit_code();
    }
    o.format.registry = std::move(*client);
  }
  return std::nullopt;
}

}  // namespace airstream::kconsume
