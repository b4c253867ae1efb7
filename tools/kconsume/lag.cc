// --lag: resolves the topics from metadata, fetches the group's committed offsets
// (OffsetFetch, rd_kafka_committed) and each partition's low/high watermarks
// (ListOffsets, rd_kafka_query_watermark_offsets), without joining the group.
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
  int timeout = static_cast<int>(o.connect_timeout.count());
  auto topics = resolve_topics(rk->get(), o.topics, o.connect_timeout);
  if (!topics) return topics.status();
  PartitionListPtr parts(rd_kafka_topic_partition_list_new(8));
  for (const auto& t : *topics) {
    for (int32_t p = 0; p < t.partitions; p++) {
      bool wanted = o.partitions.empty();
      for (int32_t q : o.partitions) wanted = wanted || q == p;
      if (wanted) rd_kafka_topic_partition_list_add(parts.get(), t.name.c_str(), p);
    }
  }
  if (parts->cnt == 0) return Status::Ok();
  rd_kafka_resp_err_t err = rd_kafka_committed(rk->get(), parts.get(), timeout);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(kExitUnavailable,
                  std::string("cannot fetch committed offsets of group ") + o.group + ": " + rd_kafka_err2str(err));
  }
  for (int i = 0; i < parts->cnt; i++) {
    const auto& p = parts->elems[i];
    int64_t lo = -1, hi = -1;
    err = rd_kafka_query_watermark_offsets(rk->get(), p.topic, p.partition, &lo, &hi, timeout);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(kExitUnavailable, std::string("cannot get end offset of ") + p.topic + " [" +
                                          std::to_string(p.partition) + "]: " + rd_kafka_err2str(err));
    }
    std::string& b = out.buffer();
    b += "{\"topic\":";
    append_json_string(b, p.topic);
    b += ",\"partition\":" + std::to_string(p.partition) + ",\"committed\":";
    b += p.offset >= 0 ? std::to_string(p.offset) : "null";
    int64_t from = p.offset >= 0 ? p.offset : lo;
    int64_t lag = hi > from ? hi - from : 0;
    b += ",\"end\":" + std::to_string(hi) + ",\"lag\":" + std::to_string(lag) + "}\n";
    if (Status st = out.end_record(); !st.ok()) return st;
  }
  return out.flush();
}

}  // namespace airstream::kconsume
