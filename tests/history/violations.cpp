#include "violations.hpp"

namespace history {

void Violations::add(int rule, std::string what, const std::vector<const Call*>& calls) {
  Found found{rule, std::move(what), {}};
  for (const Call* call : calls) {
    if (call) found.calls.push_back(call->describe());
  }
  found_.push_back(std::move(found));
}

void Violations::print(std::FILE* out, std::size_t cap) const {
  for (std::size_t i = 0; i < found_.size() && i < cap; ++i) {
    std::fprintf(out, "VIOLATION (rule %d): %s\n", found_[i].rule, found_[i].what.c_str());
    for (const auto& call : found_[i].calls) std::fprintf(out, "    %s\n", call.c_str());
  }
  if (found_.size() > cap) std::fprintf(out, "... and %zu more violations\n", found_.size() - cap);
}

}  // namespace history
