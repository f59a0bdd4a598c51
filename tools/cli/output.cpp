#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "display.hpp"

namespace kvcli {

Format pick_format(bool json_requested) {
  if (json_requested) return Format::json;
  return isatty(STDOUT_FILENO) ? Format::table : Format::plain;
}

void Output::json(const nlohmann::json& document) const {
  // Strings are UTF-8 by construction (json_bytes.hpp); replace guards against a stray byte.
  std::cout << document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void Output::table(const Row& header, const std::vector<Row>& rows) const {
  if (format_ != Format::table) {
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) std::cout << (i ? "\t" : "") << row[i];
      std::cout << '\n';
    }
    return;
  }
  std::vector<Row> shown{header};
  for (const auto& row : rows) {
    Row cells;
    for (const auto& cell : row) cells.push_back(printable(cell));
    shown.push_back(std::move(cells));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : shown) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  for (const auto& row : shown) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

void Output::text(std::string_view bytes) const {
  if (format_ == Format::table) {
    std::cout << printable(bytes, /*keep_lines=*/true) << '\n';
  } else {
    std::cout << bytes << '\n';
  }
}

void Output::confirm(const std::string& message, const nlohmann::json& result) const {
  if (quiet_) return;
  if (is_json()) {
    json(result);
  } else {
    std::cout << message << '\n';
  }
}

}  // namespace kvcli
