// The shared transform options (see options.h): one definition for uxform, cqlwrite
// and pgload, with the help texts their man pages document.
#include "common/transform/options.h"

namespace airstream::transform {

void add_transform_options(CLI::App& app, MappingOptions& mo, unsigned flags) {
  const bool ux = (flags & kUxformSpellings) != 0;
  if (!ux) mo.maps_option = "--set";
  app.add_option((flags & kPresetShort) ? "-p,--preset" : "--preset", mo.preset,
                 "Built-in transform: created_users (randomuser.me result -> flat user row)")
      ->type_name("NAME")
      ->check(CLI::IsMember({"created_users"}));
  app.add_option(ux ? "-m,--map,--set" : "--set", mo.maps,
                 "Compute output field NAME with expression EXPR (repeatable; replaces a same-named one)")
      ->type_name("NAME=EXPR")
      ->allow_extra_args(false);
  app.add_option(ux ? "-f,--map-file,--set-file" : "--set-file", mo.map_files,
                 "Read NAME=EXPR lines from FILE ('#' comments; repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option(ux ? "-w,--where" : "--where", mo.wheres,
                 "Keep only records for which EXPR is true (repeatable: all must hold)")
      ->type_name("EXPR")
      ->allow_extra_args(false);
  app.add_option_function<std::vector<std::string>>(
         "--require", [&mo](const std::vector<std::string>& v) { mo.require = v; },
         "Reject records where these output fields (or input paths) are missing or null;\n"
         "comma-separated, repeatable; replaces the preset's list ('' for none)")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("--keep", mo.keep, "Also pass these top-level input fields through unchanged ('*': all others)")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("--drop", mo.drop, "Leave these fields out of the output")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("--nulls", mo.nulls, "Null results: keep (write null) or omit (leave the field out; preset default)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"keep", "omit"}));
}

bool transform_requested(const MappingOptions& mo) {
  return !mo.preset.empty() || !mo.maps.empty() || !mo.map_files.empty() || !mo.wheres.empty() ||
         mo.require.has_value() || !mo.keep.empty() || !mo.drop.empty() || !mo.nulls.empty();
}

}  // namespace airstream::transform
