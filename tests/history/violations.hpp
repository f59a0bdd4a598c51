// What the checker found: each violation names its rule and the calls involved.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "record.hpp"

namespace history {

class Violations {
 public:
  void add(int rule, std::string what, const std::vector<const Call*>& calls = {});
  std::size_t count() const { return found_.size(); }
  // The first `cap` violations in full, then how many more there were.
  void print(std::FILE* out, std::size_t cap) const;

 private:
  struct Found {
    int rule;
    std::string what;
    std::vector<std::string> calls;
  };
  std::vector<Found> found_;
};

}  // namespace history
