// An Avro schema (Apache Avro specification 1.11, "Schema Declaration"), parsed twice:
// by the Apache Avro C library (libavro), which validates it and encodes and decodes
// the binary form, and into a small tree of our own that keeps what avro-c drops or
// does not expose conveniently: logical types (uuid, date, time-millis/micros,
// timestamp-millis/micros, local-timestamp-millis/micros, decimal), field defaults
// and the names unions are tagged with. Both describe the same types in the same
// order, so a record's field i is avro-c's field i.
#pragma once

#include <avro.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace airstream::avro {

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed
};

enum class Logical {
  kNone,
  kUuid,
  kDate,
  kTimeMillis,
  kTimeMicros,
  kTimestampMillis,
  kTimestampMicros,
  kLocalTimestampMillis,
  kLocalTimestampMicros,
  kDecimal,
};

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  bool has_default = false;
  simdjson::dom::element default_value;  // valid while the Schema lives
  std::vector<std::string> aliases;      // other names of the field (schema resolution)
};

struct Node {
  Type type = Type::kNull;
  Logical logical = Logical::kNone;
  int precision = 0, scale = 0;       // decimal
  size_t size = 0;                    // fixed
  std::string name;                   // full name of a record, enum or fixed
  std::vector<Field> fields;          // record
  std::vector<std::string> symbols;   // enum
  int enum_default = -1;              // enum: the symbol a reader takes for unknown ones
  std::vector<std::string> aliases;   // record, enum, fixed: other full names
  const Node* items = nullptr;        // array items, map values
  std::vector<const Node*> branches;  // union
};

// The name a union branch is tagged with in Avro's JSON encoding ("string", "long",
// "array", a named type's full name).
std::string branch_name(const Node& n);
// A short spelling of a type for messages ("string", "record user", "union [null, string]").
std::string describe(const Node& n);

class Schema {
 public:
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // Parses schema JSON text (a .avsc file, or the "schema" string of a registry
  // answer). Errors are kExitConfig with avro-c's or our reason.
  static Result<std::shared_ptr<const Schema>> parse(std::string_view json);

  const Node& root() const { return *root_; }
  const std::string& text() const { return text_; }
  avro_schema_t raw() const { return raw_; }
  avro_value_iface_t* iface() const { return iface_; }

 private:
  Schema() = default;
  std::string text_;
  avro_schema_t raw_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  simdjson::dom::parser json_;  // owns the DOM the field defaults point into
  std::vector<std::unique_ptr<Node>> nodes_;
  const Node* root_ = nullptr;
  friend class SchemaBuilder;
};

}  // namespace airstream::avro
