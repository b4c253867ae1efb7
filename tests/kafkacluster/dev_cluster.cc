// The development Kafka cluster: N brokers of librdkafka's mock cluster
// (rdkafka_mock.h) listening on 127.0.0.1, topics created up front, and fault
// injection driven by one command per line. The mock speaks the Kafka wire protocol
// (produce incl. idempotent and transactional producers, fetch, consumer groups with
// offset commits, metadata, topic auto-creation); it keeps only the newest ~5 MB per
// partition, so big tests use many partitions or consume while producing.
//
// Commands (one per line; the reply is one line on stdout: "ok" or "error: ..."):
//   down ID                       take broker ID down (connections closed/refused)
//   up ID                         bring broker ID back up
//   rtt ID MS                     add MS milliseconds of round-trip time to broker ID
//   produce-errors N [ERR]        fail the next N Produce requests (default
//                                 NOT_ENOUGH_REPLICAS, a retriable error)
//   fetch-errors N [ERR]          fail the next N Fetch requests (default NOT_LEADER_FOR_PARTITION)
//   request-errors API N [ERR]    fail the next N requests of API (name or key number)
//   clear-errors [API]            drop queued request errors (all APIs by default)
//   topic-error TOPIC ERR         make TOPIC answer ERR in metadata (NO_ERROR clears)
//   create-topic NAME PARTS [RF]  create a topic
//   leader TOPIC PART ID          move a partition's leader to broker ID
//   bootstrap                     reply "ok <bootstrap list>"
//   quit                          stop the cluster and exit 0
// Empty lines and lines starting with '#' are ignored.
#include "dev_cluster.h"

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

namespace devcluster {
namespace {

struct ApiName {
  const char* name;
  int16_t key;
};
constexpr ApiName kApis[] = {
    {"Produce", 0},          {"Fetch", 1},
    {"ListOffsets", 2},      {"Metadata", 3},
    {"OffsetCommit", 8},     {"OffsetFetch", 9},
    {"FindCoordinator", 10}, {"JoinGroup", 11},
    {"Heartbeat", 12},       {"LeaveGroup", 13},
    {"SyncGroup", 14},       {"CreateTopics", 19},
    {"InitProducerId", 22},  {"AddPartitionsToTxn", 24},
    {"AddOffsetsToTxn", 25}, {"EndTxn", 26},
    {"TxnOffsetCommit", 28},
};

bool parse_int(const std::string& s, long lo, long hi, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool parse_api(const std::string& s, int16_t* out) {
  long v = 0;
  if (parse_int(s, 0, 100, &v)) {
    *out = static_cast<int16_t>(v);
    return true;
  }
  for (const auto& a : kApis) {
    if (strcasecmp(a.name, s.c_str()) == 0) {
      *out = a.key;
      return true;
    }
  }
  return false;
}

std::string err_text(rd_kafka_resp_err_t e) {
  return rd_kafka_err2str(e);
}

}  // namespace

const char* command_help() {
  return "Commands on stdin (one per line; each is answered by one line on stdout,\n"
         "\"ok\" or \"error: ...\"):\n"
         "  down ID                       take broker ID down\n"
         "  up ID                         bring broker ID back up\n"
         "  rtt ID MS                     add MS ms of round-trip time to broker ID\n"
         "  produce-errors N [ERR]        fail the next N Produce requests (default NOT_ENOUGH_REPLICAS)\n"
         "  fetch-errors N [ERR]          fail the next N Fetch requests (default NOT_LEADER_FOR_PARTITION)\n"
         "  request-errors API N [ERR]    fail the next N requests of API (name or key, e.g. EndTxn)\n"
         "  clear-errors [API]            drop queued request errors\n"
         "  topic-error TOPIC ERR         make TOPIC fail with ERR in metadata (NO_ERROR clears)\n"
         "  create-topic NAME PARTS [RF]  create a topic\n"
         "  leader TOPIC PART ID          move a partition's leader to broker ID\n"
         "  bootstrap                     reply \"ok <bootstrap list>\"\n"
         "  quit                          stop the cluster and exit (so do EOF and SIGTERM)\n"
         "ERR is a Kafka error name such as NOT_LEADER_FOR_PARTITION or REQUEST_TIMED_OUT.\n";
}

bool parse_error_name(const std::string& s, rd_kafka_resp_err_t* out) {
  long v = 0;
  if (parse_int(s, -200, 1000, &v)) {
    *out = static_cast<rd_kafka_resp_err_t>(v);
    return true;
  }
  std::string want = s;
  if (want.rfind("RD_KAFKA_RESP_ERR_", 0) == 0) want = want.substr(18);
  const rd_kafka_err_desc* descs = nullptr;
  size_t n = 0;
  rd_kafka_get_err_descs(&descs, &n);
  for (size_t i = 0; i < n; i++) {
    if (descs[i].name != nullptr && strcasecmp(descs[i].name, want.c_str()) == 0) {
      *out = descs[i].code;
      return true;
    }
  }
  return false;
}

std::string parse_topic_spec(const std::string& s, TopicSpec* out) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  long v = 0;
  if (parts.empty() || parts[0].empty() || parts.size() > 3)
    return "bad topic \"" + s + "\" (expected name:partitions[:replication])";
  out->name = parts[0];
  out->partitions = 1;
  if (parts.size() >= 2) {
    if (!parse_int(parts[1], 1, 100000, &v)) return "bad partition count in \"" + s + "\"";
    out->partitions = static_cast<int>(v);
  }
  if (parts.size() == 3) {
    if (!parse_int(parts[2], 1, 100, &v)) return "bad replication factor in \"" + s + "\"";
    out->replication_factor = static_cast<int>(v);
  }
  return "";
}

DevCluster::~DevCluster() {
  if (mc_ != nullptr) rd_kafka_mock_cluster_destroy(mc_);
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

std::string DevCluster::start(int brokers) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock cluster; it never connects anywhere itself.
  rd_kafka_conf_set(conf, "bootstrap.servers", "", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return std::string("cannot create the librdkafka handle: ") + errstr;
  }
  mc_ = rd_kafka_mock_cluster_new(rk_, brokers);
  if (mc_ == nullptr) return "cannot create the mock cluster";
  brokers_ = brokers;
  return "";
}

const char* DevCluster::bootstraps() const {
  return rd_kafka_mock_cluster_bootstraps(mc_);
}

std::string DevCluster::create_topic(const TopicSpec& t) {
  int rf = t.replication_factor > 0 ? t.replication_factor : (brokers_ < 3 ? brokers_ : 3);
  if (rf > brokers_) return "replication factor " + std::to_string(rf) + " exceeds the broker count";
  rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc_, t.name.c_str(), t.partitions, rf);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return "create-topic " + t.name + ": " + err_text(e);
  return "";
}

std::string DevCluster::broker_id(const std::string& s, int* id) const {
  long v = 0;
  if (!parse_int(s, 1, brokers_, &v))
    return "bad broker id \"" + s + "\" (brokers are 1.." + std::to_string(brokers_) + ")";
  *id = static_cast<int>(v);
  return "";
}

std::string DevCluster::execute(const std::string& line, bool* quit, std::string* reply) {
  std::vector<std::string> w;
  std::istringstream ss(line);
  for (std::string t; ss >> t;) w.push_back(t);
  if (w.empty()) return "";
  const std::string& cmd = w[0];
  auto nargs = [&](size_t lo, size_t hi) { return w.size() - 1 >= lo && w.size() - 1 <= hi; };
  int id = 0;
  long n = 0;
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string err;

  if (cmd == "quit" && nargs(0, 0)) {
    *quit = true;
  } else if (cmd == "bootstrap" && nargs(0, 0)) {
    *reply = bootstraps();
  } else if ((cmd == "down" || cmd == "up") && nargs(1, 1)) {
    if (!(err = broker_id(w[1], &id)).empty()) return err;
    e = cmd == "down" ? rd_kafka_mock_broker_set_down(mc_, id) : rd_kafka_mock_broker_set_up(mc_, id);
  } else if (cmd == "rtt" && nargs(2, 2)) {
    if (!(err = broker_id(w[1], &id)).empty()) return err;
    if (!parse_int(w[2], 0, 600000, &n)) return "bad rtt \"" + w[2] + "\"";
    e = rd_kafka_mock_broker_set_rtt(mc_, id, static_cast<int>(n));
  } else if ((cmd == "produce-errors" || cmd == "fetch-errors" || cmd == "request-errors") &&
             nargs(cmd == "request-errors" ? 2 : 1, cmd == "request-errors" ? 3 : 2)) {
    size_t i = 1;
    int16_t api = cmd == "produce-errors" ? 0 : 1;
    if (cmd == "request-errors" && !parse_api(w[i++], &api)) return "unknown API \"" + w[1] + "\"";
    if (!parse_int(w[i++], 0, 1000000, &n)) return "bad count \"" + w[i - 1] + "\"";
    rd_kafka_resp_err_t code =
        api == 0 ? RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS : RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
    if (i < w.size() && !parse_error_name(w[i], &code)) return "unknown error \"" + w[i] + "\"";
    std::vector<rd_kafka_resp_err_t> errs(static_cast<size_t>(n), code);
    rd_kafka_mock_push_request_errors_array(mc_, api, errs.size(), errs.data());
  } else if (cmd == "clear-errors" && nargs(0, 1)) {
    int16_t api = 0;
    if (w.size() == 2) {
      if (!parse_api(w[1], &api)) return "unknown API \"" + w[1] + "\"";
      rd_kafka_mock_clear_request_errors(mc_, api);
    } else {
      for (const auto& a : kApis) rd_kafka_mock_clear_request_errors(mc_, a.key);
    }
  } else if (cmd == "topic-error" && nargs(2, 2)) {
    if (!parse_error_name(w[2], &e)) return "unknown error \"" + w[2] + "\"";
    rd_kafka_mock_topic_set_error(mc_, w[1].c_str(), e);
    e = RD_KAFKA_RESP_ERR_NO_ERROR;
  } else if (cmd == "create-topic" && nargs(2, 3)) {
    TopicSpec t;
    std::string spec = w[1] + ":" + w[2] + (w.size() == 4 ? ":" + w[3] : "");
    if (!(err = parse_topic_spec(spec, &t)).empty()) return err;
    return create_topic(t);
  } else if (cmd == "leader" && nargs(3, 3)) {
    if (!parse_int(w[2], 0, 100000, &n)) return "bad partition \"" + w[2] + "\"";
    if (!(err = broker_id(w[3], &id)).empty()) return err;
    e = rd_kafka_mock_partition_set_leader(mc_, w[1].c_str(), static_cast<int32_t>(n), id);
  } else if (cmd[0] == '#') {
    return "";
  } else {
    return "unknown command or wrong arguments: \"" + line + "\" (see --help)";
  }
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return cmd + ": " + err_text(e);
  return "";
}

}  // namespace devcluster
