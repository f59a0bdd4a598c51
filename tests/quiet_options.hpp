// Store options without background threads (neither the purge nor change-feed polling): every
// effect comes from the calls the test makes. Shared by the suite and the fuzz targets, so it
// needs nothing but kvstore.
#pragma once

#include <chrono>
#include <kvstore/kvstore.hpp>

namespace kvtest {

inline kvstore::Options quiet(kvstore::Durability durability = kvstore::Durability::normal) {
  kvstore::Options options;
  options.purge_interval = std::chrono::milliseconds(0);
  options.external_poll_interval = std::chrono::milliseconds(0);
  options.durability = durability;
  return options;
}

}  // namespace kvtest
