// What the store file holds after every worker exited, read through a fresh read-only Store.
#pragma once

#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <map>
#include <string>
#include <vector>

#include "index.hpp"

namespace history {

struct FinalState {
  std::string error;                    // opening or reading the file failed: nothing below holds
  std::vector<std::string> problems;    // Store::check()
  std::vector<kvstore::Event> log;      // the whole change log still held, oldest first
  std::map<KeyName, std::string> rows;  // the live rows of the checked groups
  std::vector<std::string> groups;      // every group with a live key
  std::size_t tenant_keys = 0;          // live keys of namespace "acme"
};

FinalState read_final_state(const std::string& path);

}  // namespace history
