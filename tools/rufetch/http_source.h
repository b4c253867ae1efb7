// The randomuser.me API source (see http_source.cc).
#pragma once

#include <memory>

#include "common/status.h"
#include "options.h"
#include "source.h"

namespace airstream::rufetch {

class HttpSource : public Source {
 public:
  static Result<std::unique_ptr<Source>> create(const Options& o);
};

}  // namespace airstream::rufetch
