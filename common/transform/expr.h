// The transform expression language (uxform, cqlwrite, pgload): a small,
// jq-flavoured syntax for one output field or one filter. Paths (.login.uuid,
// .results[0].name, ."odd key"), literals (JSON strings, numbers, true, false,
// null), string templates with {expr} placeholders, functions called as
// `.x | lower` or `lower(.x)`, the alternative `a // b`, the comparisons
// == != < <= > >=, and `and`, `or`, `not`. parse_expr() turns text into nodes of a
// Program; to_text() prints a node back in canonical form (--explain).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace airstream::transform {

enum class Fn : unsigned char {
  kString,
  kToJson,
  kInt,
  kFloat,
  kLower,
  kUpper,
  kTrim,
  kDefault,
  kDate,
  kEpochMs,
  kUuid,
  kUuid5,
  kNot,
  kStartsWith,
  kEndsWith,
  kContains,
};

struct FnInfo {
  const char* name;
  Fn fn;
  int min_args;  // including the piped input
  int max_args;
  const char* help;
};
// Every function (and alias) the language knows, for the parser, --explain and docs.
const std::vector<FnInfo>& functions();

enum class Cmp : unsigned char { kEq, kNe, kLt, kLe, kGt, kGe };

struct PathSeg {
  std::string key;
  bool is_index = false;
  uint32_t index = 0;
};

enum class Op : unsigned char { kPath, kRoot, kLiteral, kTemplate, kCall, kAlt, kAnd, kOr, kCmp };

struct Node {
  Op op = Op::kLiteral;
  // kPath: the segments, and the slot the extractor fills (set by the compiler).
  std::vector<PathSeg> path;
  int slot = -1;
  // kLiteral: type and text (string contents, number token); kTemplate: the literal
  // pieces between placeholders (pieces.size() == args.size() + 1).
  unsigned char lit_type = 0;  // a transform::Type
  bool lit_bool = false;
  std::string text;
  std::vector<std::string> pieces;
  bool pieces_plain = true;  // kTemplate: no piece needs escaping in a JSON string
  size_t pieces_size = 0;    // kTemplate: the pieces' total length
  // kTemplate whose placeholders are all input paths: their slots (set by the
  // mapping compiler), read without evaluating the nodes; else empty.
  std::vector<int> arg_slots;
  Fn fn = Fn::kString;
  Cmp cmp = Cmp::kEq;
  std::vector<int> args;  // child nodes (call arguments, operands, placeholders)
};

struct Program {
  std::vector<Node> nodes;
  int add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size()) - 1;
  }
};

// Parses one expression into prog; returns its root node index.
Result<int> parse_expr(Program& prog, std::string_view text);

// Canonical text of a node (used by --explain and in messages).
std::string to_text(const Program& prog, int node);
std::string path_text(const std::vector<PathSeg>& path);

}  // namespace airstream::transform
