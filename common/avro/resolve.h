// Avro schema resolution (specification 1.11, "Schema Resolution"): data written with
// one schema (the writer's) read as another (the reader's), as consumers do after a
// compatible schema change. A Resolution is the plan of one writer/reader pair, made
// once and used for every message: reader fields the writer lacks take their default,
// writer fields the reader lacks are skipped, fields match by name or by the reader's
// aliases, int/long/float promote to wider numbers and string and bytes convert, enum
// symbols map by name (or to the reader enum's default), unions pick the first
// matching branch. avro-c's own resolver (avro_resolved_writer) cannot fill defaults,
// so the Decoder reads the payload with the writer's schema and writes the JSON of
// the reader's shape from this plan (codec.h, Decoder::decode with a Resolution).
//
// What can never be read (a reader field without default the writer lacks, types that
// do not promote, records, enums or fixed of other names, fixed of another size,
// decimals of another scale) is refused when the plan is made, with the field path.
// What depends on the data (a writer enum symbol the reader lacks, a union branch
// with no match in the reader, a number a float or double cannot hold exactly, bytes
// that are not UTF-8 read as a string) is refused per message by the Decoder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/avro/schema.h"
#include "common/status.h"

namespace airstream::avro {

// One node of the plan: how a value of writer type w becomes one of reader type r.
struct ResolveStep {
  enum Kind {
    kSame,         // same primitive or fixed type: written as the reader's (logical type)
    kPromote,      // int/long/float to a wider number, string <-> bytes
    kRecord,       // fields reordered, skipped or defaulted
    kEnum,         // symbols mapped by name
    kArray,        // items resolved
    kMap,          // values resolved
    kWriterUnion,  // the writer's branch resolved on its own
    kReaderUnion,  // a writer value read as one branch of the reader's union
  };
  Kind kind = kSame;
  const Node* w = nullptr;
  const Node* r = nullptr;
  // kRecord, per reader field: the writer field's index, or -1 and the default's JSON
  // text (plain and tagged unions); steps[i] the field's plan.
  std::vector<int> from;
  std::vector<std::string> default_plain, default_tagged;
  // kRecord: per reader field; kArray/kMap: [0] the items; kWriterUnion: per writer
  // branch (nullptr: refused, why in refusals); kReaderUnion: [0] the chosen branch.
  std::vector<const ResolveStep*> steps;
  std::vector<std::string> refusals, refusal_paths;  // kWriterUnion: why, and where below
  // kEnum: writer symbol index -> reader symbol index, or -1 (refused).
  std::vector<int> symbols;
  // kReaderUnion: the reader branch taken.
  int branch = 0;
};

class Resolution {
 public:
  ~Resolution();
  Resolution(const Resolution&) = delete;
  Resolution& operator=(const Resolution&) = delete;

  // The plan for reading data written with writer as reader, or (kExitDataErr) why it
  // can never be read ("field country: not in the writer's schema and no default").
  static Result<std::shared_ptr<const Resolution>> make(std::shared_ptr<const Schema> writer,
                                                        std::shared_ptr<const Schema> reader);

  const Schema& writer() const { return *writer_; }
  const Schema& reader() const { return *reader_; }
  const ResolveStep& root() const { return *root_; }

 private:
  Resolution() = default;
  std::shared_ptr<const Schema> writer_, reader_;
  std::vector<std::unique_ptr<ResolveStep>> steps_;
  const ResolveStep* root_ = nullptr;
  friend class ResolutionBuilder;
};

}  // namespace airstream::avro
