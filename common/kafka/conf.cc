// Kafka client configuration shared by kproduce and kconsume (and the sinks' direct
// Kafka mode): kcat-compatible -b/-X/-F handling on top of rd_kafka_conf_set().
#include "common/kafka/conf.h"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string_view>

namespace airstream {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

Status set_prop(rd_kafka_conf_t* conf, const std::string& name, const std::string& value, const std::string& where) {
  char err[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    return Status(kExitConfig, where + ": " + err);
  }
  return Status::Ok();
}

}  // namespace

void add_kafka_options(CLI::App& app, KafkaOptions& o) {
  app.add_option("-b,--brokers", o.brokers,
                 "Bootstrap brokers host:port,... (default: KAFKA_BROKERS or localhost:9092)")
      ->type_name("BROKERS");
  app.add_option("-X", o.props, "librdkafka property prop=value (repeatable); -X list, -X dump")
      ->type_name("PROP=VAL")
      ->allow_extra_args(false);
  app.add_option("-F", o.files, "Read librdkafka properties (prop=value lines) from FILE")
      ->type_name("FILE")
      ->allow_extra_args(false);
}

std::string effective_brokers(const KafkaOptions& o) {
  if (!o.brokers.empty()) return o.brokers;
  const char* env = getenv("KAFKA_BROKERS");
  if (env != nullptr && *env != '\0') return env;
  return "localhost:9092";
}

bool wants_property_list(const KafkaOptions& o) {
  for (const auto& p : o.props)
    if (p == "list") return true;
  return false;
}

bool wants_conf_dump(const KafkaOptions& o) {
  for (const auto& p : o.props)
    if (p == "dump") return true;
  return false;
}

std::string kafka_properties_text() {
  char* buf = nullptr;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  if (mem == nullptr) return "";
  rd_kafka_conf_properties_show(mem);
  fclose(mem);
  std::string out(buf, len);
  free(buf);
  return out;
}

Result<KafkaConfPtr> make_kafka_conf(const KafkaOptions& o,
                                     const std::vector<std::pair<std::string, std::string>>& defaults) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  for (const auto& [k, v] : defaults) {
    Status st = set_prop(conf.get(), k, v, "default " + k);
    if (!st.ok()) return st;
  }
  Status st = set_prop(conf.get(), "bootstrap.servers", effective_brokers(o), "brokers");
  if (!st.ok()) return st;
  for (const auto& file : o.files) {
    std::ifstream in(file);
    if (!in) return Status(kExitConfig, "cannot read " + file);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      n++;
      line = trim(line);
      if (line.empty() || line[0] == '#') continue;
      size_t eq = line.find('=');
      if (eq == std::string::npos) return Status(kExitConfig, file + ":" + std::to_string(n) + ": expected prop=value");
      st = set_prop(conf.get(), trim(line.substr(0, eq)), trim(line.substr(eq + 1)), file + ":" + std::to_string(n));
      if (!st.ok()) return st;
    }
  }
  for (const auto& p : o.props) {
    if (p == "list" || p == "dump") continue;
    size_t eq = p.find('=');
    if (eq == std::string::npos) return Status(kExitConfig, "-X " + p + ": expected prop=value");
    st = set_prop(conf.get(), p.substr(0, eq), p.substr(eq + 1), "-X " + p.substr(0, eq));
    if (!st.ok()) return st;
  }
  return conf;
}

bool cooperative_assignor(const rd_kafka_conf_t* conf) {
  char buf[512];
  size_t n = sizeof buf;
  if (rd_kafka_conf_get(conf, "partition.assignment.strategy", buf, &n) != RD_KAFKA_CONF_OK) return false;
  return std::string_view(buf).find("cooperative") != std::string_view::npos;
}

std::string kafka_conf_dump(rd_kafka_conf_t* conf) {
  size_t cnt = 0;
  const char** arr = rd_kafka_conf_dump(conf, &cnt);
  std::map<std::string, std::string> sorted;
  for (size_t i = 0; i + 1 < cnt; i += 2) {
    std::string name = arr[i];
    std::string value = arr[i + 1];
    if (name.find("password") != std::string::npos || name.find("secret") != std::string::npos) value = "***";
    sorted[name] = value;
  }
  rd_kafka_conf_dump_free(arr, cnt);
  // Topic-level properties set through the global configuration (acks, partitioner,
  // message.timeout.ms, ...) live in the default topic configuration.
  if (rd_kafka_topic_conf_t* tconf = rd_kafka_conf_get_default_topic_conf(conf)) {
    arr = rd_kafka_topic_conf_dump(tconf, &cnt);
    for (size_t i = 0; i + 1 < cnt; i += 2) sorted[arr[i]] = arr[i + 1];
    rd_kafka_conf_dump_free(arr, cnt);
  }
  std::string out;
  for (const auto& [k, v] : sorted) out += k + " = " + v + "\n";
  return out;
}

void tune_malloc_for_consumer() {
  static const bool done = [] {
    const char* t = std::getenv("GLIBC_TUNABLES");
    if (t != nullptr && std::strstr(t, "glibc.malloc.") != nullptr) return false;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return true;
  }();
  (void)done;
}

}  // namespace airstream
