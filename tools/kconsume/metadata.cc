// kconsume -L and -Q (see metadata.h). -L asks for the metadata of all topics (one
// Metadata request), keeps those -t names, and looks up the watermarks of every
// partition in two ListOffsets rounds (earliest, latest: one request per leader
// each); the text and the JSON (-J) are kcat's, each partition with ", low N, high N"
// (JSON: low_watermark, high_watermark) added. -Q resolves the topics first, so that
// a missing one is an error rather than kcat's "offset -1", then asks ListOffsets
// for the timestamps (rd_kafka_offsets_for_times).
#include "metadata.h"

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/json/json.h"
#include "kafka_client.h"

namespace airstream::kconsume {
namespace {

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const {
    if (md != nullptr) rd_kafka_metadata_destroy(md);
  }
};

Result<KafkaPtr> open_client(const Options& o) {
  auto conf = make_kafka_conf(o.kafka, consumer_defaults("", false));
  if (!conf) return conf.status();
  return create_consumer(std::move(*conf));
}

using Watermarks = std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>>;

// The low and high watermark of each partition without an error, in two ListOffsets
// rounds; partitions whose lookup failed are left out.
Watermarks watermarks(rd_kafka_t* rk, const std::vector<const rd_kafka_metadata_topic_t*>& topics,
                      std::chrono::milliseconds timeout) {
  Watermarks out;
  const int64_t query[2] = {-2, -1};  // ListOffsets' earliest and latest
  std::map<std::pair<std::string, int32_t>, int64_t> got[2];
  for (int round = 0; round < 2; round++) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(8));
    for (const auto* t : topics)
      for (int j = 0; j < t->partition_cnt; j++)
        if (t->partitions[j].err == RD_KAFKA_RESP_ERR_NO_ERROR)
          rd_kafka_topic_partition_list_add(list.get(), t->topic, t->partitions[j].id)->offset = query[round];
    if (list->cnt == 0) return out;
    if (rd_kafka_offsets_for_times(rk, list.get(), static_cast<int>(timeout.count())) != RD_KAFKA_RESP_ERR_NO_ERROR)
      return out;
    for (int i = 0; i < list->cnt; i++) {
      const auto& p = list->elems[i];
      if (p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0) got[round][{p.topic, p.partition}] = p.offset;
    }
  }
  for (const auto& [key, lo] : got[0]) {
    auto hi = got[1].find(key);
    if (hi != got[1].end()) out[key] = {lo, hi->second};
  }
  return out;
}

std::string ids(const int32_t* v, int n, bool json) {
  std::string s;
  for (int k = 0; k < n; k++) {
    if (k > 0) s += ",";
    s += json ? "{\"id\":" + std::to_string(v[k]) + "}" : std::to_string(v[k]);
  }
  return s;
}

void print_text(std::string& b, const rd_kafka_metadata_t* md, int32_t controller, const std::string& query,
                const std::vector<const rd_kafka_metadata_topic_t*>& topics, const std::vector<std::string>& missing,
                const Watermarks& marks) {
  b += "Metadata for " + (query.empty() ? std::string("all topics") : query) + " (from broker " +
       std::to_string(md->orig_broker_id) + ": " + md->orig_broker_name + "):\n";
  b += " " + std::to_string(md->broker_cnt) + " brokers:\n";
  for (int i = 0; i < md->broker_cnt; i++) {
    const auto& br = md->brokers[i];
    b += "  broker " + std::to_string(br.id) + " at " + br.host + ":" + std::to_string(br.port) +
         (br.id == controller ? " (controller)" : "") + "\n";
  }
  b += " " + std::to_string(topics.size() + missing.size()) + " topics:\n";
  for (const auto* t : topics) {
    b += "  topic \"" + std::string(t->topic) + "\" with " + std::to_string(t->partition_cnt) + " partitions:";
    if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      b += std::string(" ") + rd_kafka_err2str(t->err);
      if (t->err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE) b += " (try again)";
    }
    b += "\n";
    for (int j = 0; j < t->partition_cnt; j++) {
      const auto& p = t->partitions[j];
      b += "    partition " + std::to_string(p.id) + ", leader " + std::to_string(p.leader) +
           ", replicas: " + ids(p.replicas, p.replica_cnt, false) + ", isrs: " + ids(p.isrs, p.isr_cnt, false);
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) b += std::string(", ") + rd_kafka_err2str(p.err);
      auto w = marks.find({t->topic, p.id});
      if (w != marks.end())
        b += ", low " + std::to_string(w->second.first) + ", high " + std::to_string(w->second.second);
      b += "\n";
    }
  }
  for (const auto& name : missing)
    b += "  topic \"" + name + "\" with 0 partitions: " + rd_kafka_err2str(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) +
         "\n";
}

void print_json(std::string& b, const rd_kafka_metadata_t* md, int32_t controller, const std::string& query,
                const std::vector<const rd_kafka_metadata_topic_t*>& topics, const std::vector<std::string>& missing,
                const Watermarks& marks) {
  b += "{\"originating_broker\":{\"id\":" + std::to_string(md->orig_broker_id) + ",\"name\":";
  append_json_string(b, md->orig_broker_name);
  b += "},\"query\":{\"topic\":";
  append_json_string(b, query.empty() ? "*" : query);
  b += "},\"controllerid\":" + std::to_string(controller) + ",\"brokers\":[";
  for (int i = 0; i < md->broker_cnt; i++) {
    const auto& br = md->brokers[i];
    b += std::string(i > 0 ? "," : "") + "{\"id\":" + std::to_string(br.id) + ",\"name\":";
    append_json_string(b, std::string(br.host) + ":" + std::to_string(br.port));
    b += "}";
  }
  b += "],\"topics\":[";
  bool first = true;
  for (const auto* t : topics) {
    b += std::string(first ? "" : ",") + "{\"topic\":";
    first = false;
    append_json_string(b, t->topic);
    if (t->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      b += ",\"error\":";
      append_json_string(b, rd_kafka_err2str(t->err));
    }
    b += ",\"partitions\":[";
    for (int j = 0; j < t->partition_cnt; j++) {
      const auto& p = t->partitions[j];
      b += std::string(j > 0 ? "," : "") + "{\"partition\":" + std::to_string(p.id);
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        b += ",\"error\":";
        append_json_string(b, rd_kafka_err2str(p.err));
      }
      b += ",\"leader\":" + std::to_string(p.leader) + ",\"replicas\":[" + ids(p.replicas, p.replica_cnt, true) +
           "],\"isrs\":[" + ids(p.isrs, p.isr_cnt, true) + "]";
      auto w = marks.find({t->topic, p.id});
      if (w != marks.end())
        b += ",\"low_watermark\":" + std::to_string(w->second.first) +
             ",\"high_watermark\":" + std::to_string(w->second.second);
      b += "}";
    }
    b += "]}";
  }
  for (const auto& name : missing) {
    b += std::string(first ? "" : ",") + "{\"topic\":";
    first = false;
    append_json_string(b, name);
    b += ",\"error\":";
    append_json_string(b, rd_kafka_err2str(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    b += ",\"partitions\":[]}";
  }
  b += "]}\n";
}

}  // namespace

Status list_metadata(const Options& o, Writer& out) {
  auto rk = open_client(o);
  if (!rk) return rk.status();
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk->get(), 1, nullptr, &raw, static_cast<int>(o.connect_timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status(kExitUnavailable,
                  std::string("cannot get metadata from the Kafka cluster: ") + rd_kafka_err2str(err));
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw);

  // The -t names and ^regexes (regexes never match internal "__" topics, as in -t).
  std::vector<std::regex> regexes;
  std::set<std::string> names;
  std::string query;
  for (const auto& t : o.topics) {
    query += (query.empty() ? "" : ",") + t;
    if (t.empty() || t[0] != '^') {
      names.insert(t);
      continue;
    }
    try {
      regexes.emplace_back(t, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Status(kExitUsage, "bad topic regex " + t + ": " + e.what());
    }
  }
  std::vector<const rd_kafka_metadata_topic_t*> topics;
  std::set<std::string> found;
  for (int i = 0; i < md->topic_cnt; i++) {
    const auto* t = &md->topics[i];
    std::string name = t->topic;
    bool keep = o.topics.empty() || names.count(name) > 0;
    for (const auto& re : regexes) keep = keep || (name.rfind("__", 0) != 0 && std::regex_search(name, re));
    if (!keep) continue;
    topics.push_back(t);
    found.insert(name);
  }
  std::vector<std::string> missing;
  for (const auto& t : o.topics)
    if (names.count(t) > 0 && found.count(t) == 0 && std::find(missing.begin(), missing.end(), t) == missing.end())
      missing.push_back(t);

  int32_t controller = rd_kafka_controllerid(rk->get(), 0);
  Watermarks marks = watermarks(rk->get(), topics, o.connect_timeout);
  std::string& b = out.buffer();
  if (o.envelope) {
    print_json(b, md.get(), controller, query, topics, missing, marks);
  } else {
    print_text(b, md.get(), controller, query, topics, missing, marks);
  }
  if (Status st = out.flush(); !st.ok()) return st;
  if (!missing.empty()) return Status(kExitNoInput, "topic " + missing.front() + " does not exist");
  return Status::Ok();
}

Status query_offsets(const Options& o, Writer& out) {
  auto rk = open_client(o);
  if (!rk) return rk.status();
  std::vector<std::string> names;
  for (const auto& q : o.queries) names.push_back(q.topic);
  auto topics = resolve_topics(rk->get(), names, o.connect_timeout);
  if (!topics) return topics.status();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(o.queries.size())));
  for (const auto& q : o.queries) {
    for (const auto& t : *topics) {
      if (t.name == q.topic && q.partition >= t.partitions)
        return Status(kExitNoInput, "topic " + t.name + " has no partition " + std::to_string(q.partition) +
                                        " (it has " + std::to_string(t.partitions) + ")");
    }
    rd_kafka_topic_partition_list_add(list.get(), q.topic.c_str(), q.partition)->offset = q.timestamp;
  }
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(rk->get(), list.get(), static_cast<int>(o.connect_timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status(kExitUnavailable, std::string("cannot look up offsets by timestamp: ") + rd_kafka_err2str(err));

  rd_kafka_topic_partition_list_sort(list.get(), nullptr, nullptr);  // by topic and partition, as kcat prints
  std::string& b = out.buffer();
  bool failed = false;
  if (!o.envelope) {
    for (int i = 0; i < list->cnt; i++) {
      const auto& p = list->elems[i];
      b += std::string(p.topic) + " [" + std::to_string(p.partition) + "] offset " + std::to_string(p.offset);
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) b += std::string(": ") + rd_kafka_err2str(p.err);
      b += "\n";
      failed = failed || p.err != RD_KAFKA_RESP_ERR_NO_ERROR;
    }
  } else {
    // kcat's map: {"TOPIC": {"topic": "TOPIC", "PARTITION": {"partition": P, "offset": O}}}.
    std::vector<std::string> order;
    for (int i = 0; i < list->cnt; i++)
      if (std::find(order.begin(), order.end(), list->elems[i].topic) == order.end())
        order.push_back(list->elems[i].topic);
    b += "{";
    for (size_t k = 0; k < order.size(); k++) {
      if (k > 0) b += ",";
      append_json_string(b, order[k]);
      b += ":{\"topic\":";
      append_json_string(b, order[k]);
      for (int i = 0; i < list->cnt; i++) {
        const auto& p = list->elems[i];
        if (order[k] != p.topic) continue;
        b += ",\"" + std::to_string(p.partition) + "\":{\"partition\":" + std::to_string(p.partition) +
             ",\"offset\":" + std::to_string(p.offset);
        if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          b += ",\"error\":";
          append_json_string(b, rd_kafka_err2str(p.err));
          failed = true;
        }
        b += "}";
      }
      b += "}";
    }
    b += "}\n";
  }
  if (Status st = out.flush(); !st.ok()) return st;
  if (failed) return Status(kExitUnavailable, "the lookup failed for some partitions (see the output)");
  return Status::Ok();
}

}  // namespace airstream::kconsume
