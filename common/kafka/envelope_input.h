// The input side of a sink at the end of a pipe (cqlwrite/pgload --envelope [--acks
// FIFO]): each line is one of kconsume's envelopes (or a stage's position-only marker,
// common/kafka/envelope.h); the payload is the record to store, and with --acks the
// sink tells kconsume over the channel (common/kafka/ack_channel.h) which records are
// done, so that kconsume commits only what is stored or rejected. Shared by the sinks
// so that they read envelopes, name rejected records and acknowledge alike.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/kafka/ack_channel.h"
#include "common/kafka/envelope.h"
#include "common/status.h"

namespace airstream {

struct EnvelopeOptions {
  bool envelope = false;
  std::string acks;  // FIFO; implies envelope
};

// Adds --envelope and --acks FIFO to a sink's command line.
void add_envelope_options(CLI::App& app, EnvelopeOptions& o);
// --acks implies --envelope; neither goes with --from-kafka (exit 64).
Status check_envelope_options(EnvelopeOptions& o, bool from_kafka);

class EnvelopeInput {
 public:
  // A record without a position (the line is not an envelope): never acknowledged.
  static constexpr uint64_t kNoPosition = ~uint64_t{0};

  // Starts the acknowledgement channel when o.acks is set (its open never blocks).
  Status open(const EnvelopeOptions& o, const std::string& tool);

  enum class Kind {
    kRecord,  // store payload, then done(tag, offset)
    kDone,    // a marker: nothing to store; already acknowledged
    kReject,  // no JSON payload: report reason (with context(tag)), then done(tag, offset)
    kBad,     // not an envelope: report reason; its position is unknown (tag kNoPosition)
  };
  struct Item {
    std::string_view payload;  // kRecord: a view into the line
    std::string reason;
    uint64_t tag = kNoPosition;  // topic and partition
    int64_t offset = 0;          // the Kafka offset
  };
  // Parses one line (followed by simdjson::SIMDJSON_PADDING readable bytes).
  Kind parse(std::string_view line, Item& out);

  // The record is done (stored, or rejected and reported). Thread-safe.
  void done(uint64_t tag, int64_t offset);
  // "topic":..,"partition":.. of a tag, for reject records.
  std::string context(uint64_t tag);
  // Sends the last acknowledgements and "end" (waits up to `timeout` for the reader).
  Status finish(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool acks() const { return sender_ != nullptr; }

 private:
  EnvelopeParser parser_;
  std::unique_ptr<AckSender> sender_;
  std::string names_cache_;  // topic of the last line
  uint32_t topic_cache_ = 0;
  bool have_cache_ = false;
  std::mutex mu_;
  std::deque<std::string> topics_;  // without --acks (a deque: references stay valid)
};

}  // namespace airstream
