// The byte range [lower, upper) of every string that starts with a prefix: prefix queries use
// range comparison on the primary-key index, never LIKE, so `%`, `_` and `\0` are literal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/prepared_statement.hpp"

namespace kvstore::detail {

struct PrefixRange {
  std::string lower;
  std::optional<std::string> upper;  // nullopt: no string above the prefix (empty or all 0xff)

  static PrefixRange of(std::string_view prefix) {
    PrefixRange range{std::string(prefix), std::string(prefix)};
    std::string& upper = *range.upper;
    // The smallest string greater than every extension of prefix: drop trailing 0xff bytes,
    // then increment the last byte.
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
    if (upper.empty()) {
      range.upper.reset();
    } else {
      upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    }
    return range;
  }

  // Binds lower to parameter `first` and upper to `first + 1`, without copying: the range must
  // outlive the statement's execution (hence no binding from a temporary).
  void bind(StatementUse& use, int first) && = delete;
  void bind(StatementUse& use, int first) const& {
    use.text(first, lower);
    if (upper) {
      use.text(first + 1, *upper);
    } else {
      use.after_all_text(first + 1);
    }
  }
};

}  // namespace kvstore::detail
