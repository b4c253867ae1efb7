// --lag: resolves the topics from metadata and prints the group's lag per partition
// (common/kafka/topics.h), without joining the group.
#include "lag.h"

#include <string>

#include "common/json/json.h"
#include "kafka_client.h"

namespace airstream::kconsume {

Status print_lag(const Options& o, Writer& out) {
  auto conf = make_kafka_conf(o.kafka, consumer_defaults(o.group, false));
  if (!conf) return conf.status();
  auto rk = create_consumer(std::move(*conf));
  if (!rk) return rk.status();
  auto topics = resolve_topics(rk->get(), o.topics, o.connect_timeout);
  if (!topics) return topics.status();
  auto lags = group_lag(rk->get(), *topics, o.partitions, o.connect_timeout);
  if (!lags) return Status(lags.status().exit_code(), "group " + o.group + ": " + lags.status().message());
  for (const auto& l : *lags) {
    std::string& b = out.buffer();
    b += "{\"topic\":";
    append_json_string(b, l.topic);
    b += ",\"partition\":" + std::to_string(l.partition) + ",\"committed\":";
    b += l.committed >= 0 ? std::to_string(l.committed) : "null";
    b += ",\"end\":" + std::to_string(l.end) + ",\"lag\":" + std::to_string(l.lag) + "}\n";
    if (Status st = out.end_record(); !st.ok()) return st;
  }
  return out.flush();
}

}  // namespace airstream::kconsume
