// What a read returned, per key, mapped back to the write it came from: every value is unique,
// so a value read names its write (a revision read names it too).
#pragma once

#include <vector>

#include "index.hpp"
#include "violations.hpp"

namespace history {

struct Observation {
  const Call* call = nullptr;
  KeyName key;
  bool present = false;
  const Write* write = nullptr;  // what a present read returned
};

// The keys `call` read (one for a single-key read, each of the keyspace's keys of the group for
// get_all) with what it returned. A value that maps to no committed write of that key is
// reported (rule 2: the value of a failed write; rule 3, or 5 for the layer: a value nobody
// stored, or another key's) and left out.
std::vector<Observation> observations_of(const Call& call, const Index& index,
                                         Violations& violations);

}  // namespace history
