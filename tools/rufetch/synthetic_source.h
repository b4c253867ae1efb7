// The --synthetic source: users from common/synthetic.h, no network. Page P of size
// S holds users (P-1)*S .. P*S-1 of the seed, so --seed/--page/--results address the
// same users as they would in a seeded API sequence.
#pragma once

#include "common/synthetic.h"
#include "source.h"

namespace airstream::rufetch {

class SyntheticSource : public Source {
 public:
  SyntheticSource(uint64_t seed, uint32_t page_size, bool envelope);
  Status fetch(uint64_t page, uint32_t want, Writer& out, PageOutcome& outcome) override;

 private:
  SyntheticUsers users_;
  uint64_t seed_;
  uint32_t page_size_;
  bool envelope_;
};

}  // namespace airstream::rufetch
