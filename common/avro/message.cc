// Registry Avro messages to JSON (see message.h): split the Confluent header, look the
// writer's schema up by id, decode the payload against it, or through a resolution
// plan as the reader schema (the topic's latest value schema or a fixed one). A
// registry failure that is the message's fault (an unknown id, a schema that does not
// parse) is kExitDataErr in RegistryClient and a reject here; any other failure stops
// the caller. Latest schemas and plans are cached, both bounded.
#include "common/avro/message.h"

#include "common/avro/framing.h"

namespace airstream::avro {

namespace {
constexpr size_t kMaxTopics = 1024, kMaxSeen = 4096, kMaxPlans = 64;
}

MessageDecoder::Outcome MessageDecoder::writer_of(std::string_view message, std::shared_ptr<const Schema>& writer,
                                                  std::string_view& payload) {
  id_ = 0;
  if (std::string_view why = split_frame(message, id_, payload); !why.empty()) {
    reason_ = "not schema-registry Avro (" + std::string(why) + ")";
    return Outcome::kBad;
  }
  auto schema = registry_->schema_by_id(id_);
  if (!schema.ok()) {
    reason_ = schema.status().message();
    if (schema.status().exit_code() == kExitDataErr) return Outcome::kBad;
    status_ = schema.status();
    return Outcome::kFatal;
  }
  writer = *schema;
  return Outcome::kOk;
}

MessageDecoder::Outcome MessageDecoder::decode(std::string_view message, std::string& out) {
  std::shared_ptr<const Schema> writer;
  std::string_view payload;
  if (Outcome o = writer_of(message, writer, payload); o != Outcome::kOk) return o;
  std::string e = decoder_.decode(*writer, payload, out, unions_);
  if (!e.empty()) {
    reason_ = "Avro schema id " + std::to_string(id_) + ": " + e;
    return Outcome::kBad;
  }
  return Outcome::kOk;
}

bool MessageDecoder::reader_for(std::string_view topic, uint32_t writer_id, std::shared_ptr<const Schema>& reader,
                                std::string& name) {
  if (reader_.mode == ReaderSchema::Mode::kFixed) {
    if (!reader_.schema) {
      auto s = registry_->schema_by_id(static_cast<uint32_t>(reader_.id));
      if (!s.ok()) {
        reason_ = "--reader-schema: " + s.status().message();
        status_ = Status(s.status().exit_code() == kExitDataErr ? kExitConfig : s.status().exit_code(), reason_);
        return false;
      }
      reader_.schema = *s;
    }
    reader = reader_.schema;
    name = reader_.name;
    return true;
  }
  auto it = latest_.find(topic);
  if (it == latest_.end()) {
    if (latest_.size() >= kMaxTopics) latest_.clear();
    it = latest_.emplace(std::string(topic), Latest{}).first;
  }
  Latest& l = it->second;
  // A schema id not seen on this topic may be a version registered since: ask again
  // (unless it is the latest version itself).
  if (!l.seen.count(writer_id) && !(l.schema && l.id == writer_id)) {
    std::string subject = subject_for(std::string(topic), false);
    auto r = registry_->find_latest(subject);
    if (!r.ok()) {
      reason_ = r.status().message();
      status_ = r.status();
      return false;
    }
    l.schema = *r ? (*r)->schema : nullptr;
    l.id = *r ? (*r)->id : 0;
    l.seen.clear();
  }
  if (l.seen.size() >= kMaxSeen) l.seen.clear();
  l.seen.insert(writer_id);
  reader = l.schema;
  name =
      "schema id " + std::to_string(l.id) + " (the latest of subject " + subject_for(std::string(topic), false) + ")";
  return true;
}

MessageDecoder::Outcome MessageDecoder::decode_value(std::string_view message, std::string_view topic,
                                                     std::string& out) {
  if (reader_.mode == ReaderSchema::Mode::kWriter) return decode(message, out);
  std::shared_ptr<const Schema> writer, reader;
  std::string_view payload;
  if (Outcome o = writer_of(message, writer, payload); o != Outcome::kOk) return o;
  std::string name;
  if (!reader_for(topic, id_, reader, name)) return Outcome::kFatal;
  const Resolution* resolution = nullptr;
  if (reader && reader != writer) {
    auto key = std::make_pair(writer.get(), reader.get());
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      if (plans_.size() >= kMaxPlans) plans_.clear();
      Plan p{writer, reader, nullptr, ""};
      if (writer->text() != reader->text()) {
        auto r = Resolution::make(writer, reader);
        if (r.ok()) {
          p.resolution = *r;
        } else {
          p.refused = r.status().message();
        }
      }
      it = plans_.emplace(key, std::move(p)).first;
    }
    if (!it->second.refused.empty()) {
      reason_ = "Avro schema id " + std::to_string(id_) + " cannot be read as " + name + ": " + it->second.refused;
      return Outcome::kBad;
    }
    resolution = it->second.resolution.get();
  }
  std::string e = resolution ? decoder_.decode(*resolution, payload, out, unions_)
                             : decoder_.decode(*writer, payload, out, unions_);
  if (!e.empty()) {
    reason_ = "Avro schema id " + std::to_string(id_) + (resolution ? " read as " + name : "") + ": " + e;
    return Outcome::kBad;
  }
  return Outcome::kOk;
}

}  // namespace airstream::avro
