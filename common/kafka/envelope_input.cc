// Envelope input of the sinks (see envelope_input.h). Topics are numbered once (the
// number travels with the record in its tag, with the partition, as in the sinks'
// --from-kafka mode); a record's position is tracked on the acknowledgement channel
// when its line is read, in the order of its partition, and acknowledged when the
// sink settles it, from whatever thread that happens on.
#include "common/kafka/envelope_input.h"

#include "common/json/json.h"

namespace airstream {

void add_envelope_options(CLI::App& app, EnvelopeOptions& o) {
  app.add_flag("--envelope", o.envelope,
               "Input lines are kconsume envelopes: store each one's value; position-only markers are skipped");
  app.add_option("--acks", o.acks,
                 "Acknowledge stored or rejected records to kconsume --acks FIFO on named pipe FIFO "
                 "(implies --envelope)")
      ->type_name("FIFO");
}

Status check_envelope_options(EnvelopeOptions& o, bool from_kafka) {
  if (!o.acks.empty()) o.envelope = true;
  if (from_kafka && o.envelope)
    return Status(kExitUsage, std::string(o.acks.empty() ? "--envelope" : "--acks") +
                                  " reads a pipe; --from-kafka reads Kafka itself and commits what it stored");
  return Status::Ok();
}

Status EnvelopeInput::open(const EnvelopeOptions& o, const std::string& tool) {
  if (o.acks.empty()) return Status::Ok();
  sender_ = std::make_unique<AckSender>();
  return sender_->open(o.acks, tool);
}

EnvelopeInput::Kind EnvelopeInput::parse(std::string_view line, Item& out) {
  EnvelopeView v;
  out.reason = parser_.parse(line, v);
  out.payload = {};
  out.tag = kNoPosition;
  if (!out.reason.empty()) return Kind::kBad;
  if (!have_cache_ || v.topic != names_cache_) {
    if (sender_) {
      topic_cache_ = sender_->topic_id(v.topic);
    } else {
      std::lock_guard<std::mutex> lock(mu_);
      size_t i = 0;
      while (i < topics_.size() && topics_[i] != v.topic) i++;
      if (i == topics_.size()) topics_.emplace_back(v.topic);
      topic_cache_ = static_cast<uint32_t>(i);
    }
    names_cache_ = std::string(v.topic);
    have_cache_ = true;
  }
  out.tag = (static_cast<uint64_t>(topic_cache_) << 32) | static_cast<uint32_t>(v.partition);
  out.offset = v.offset;
  if (sender_) sender_->track(topic_cache_, v.partition, v.offset);
  switch (v.kind) {
    case EnvelopeView::kValue:
      out.payload = v.value;
      return Kind::kRecord;
    case EnvelopeView::kSkip:
      done(out.tag, out.offset);
      return Kind::kDone;
    case EnvelopeView::kNoJson:
      out.reason = std::string(v.reason);
      return Kind::kReject;
  }
  return Kind::kBad;
}

void EnvelopeInput::done(uint64_t tag, int64_t offset) {
  if (sender_ && tag != kNoPosition)
    sender_->done(static_cast<uint32_t>(tag >> 32), static_cast<int32_t>(static_cast<uint32_t>(tag)), offset);
}

std::string EnvelopeInput::context(uint64_t tag) {
  if (tag == kNoPosition) return "";
  uint32_t id = static_cast<uint32_t>(tag >> 32);
  std::string topic;
  if (sender_) {
    topic = sender_->topic_name(id);
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    topic = topics_.at(id);
  }
  return "\"topic\":" + json_string(topic) +
         ",\"partition\":" + std::to_string(static_cast<int32_t>(static_cast<uint32_t>(tag)));
}

Status EnvelopeInput::finish(std::chrono::milliseconds timeout) {
  if (!sender_) return Status::Ok();
  return sender_->finish(timeout);
}

}  // namespace airstream
