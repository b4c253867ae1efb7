// The transform's command-line options, defined once for every tool that runs it
// (uxform, and cqlwrite and pgload on any input), so that their names, meanings and
// checks cannot drift apart: the preset, output-field expressions (--set NAME=EXPR,
// which uxform also spells -m/--map), files of them, --where filters, --require,
// --keep/--drop and --nulls. In the sinks, --map COL=FIELD keeps its own meaning
// (which field feeds which column); --set says how a field is computed.
#pragma once

#include <CLI/CLI.hpp>

#include "common/transform/mapping.h"

namespace airstream::transform {

enum TransformOptionFlags : unsigned {
  kPresetShort = 1,      // -p for --preset
  kUxformSpellings = 2,  // -m/--map and -f/--map-file for --set/--set-file, -w for --where
};

// Adds the options to app; parsed values land in mo (--require: given even if empty).
void add_transform_options(CLI::App& app, MappingOptions& mo, unsigned flags);

// True when any transform option was given (a sink then transforms every record).
bool transform_requested(const MappingOptions& mo);

}  // namespace airstream::transform
