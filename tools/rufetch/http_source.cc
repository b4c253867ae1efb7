// Placeholder until the HTTP client lands: only --synthetic works.
#include "http_source.h"

namespace airstream::rufetch {

Result<std::unique_ptr<Source>> HttpSource::create(const Options&) {
  return Status(kExitSoftware, "fetching from the API is not implemented yet; use --synthetic");
}

}  // namespace airstream::rufetch
