#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "display.hpp"

namespace kvcli {
namespace {

// `cell` cut to `width` columns, its last one "…", at a character boundary.
std::string cut(const std::string& cell, std::size_t width) {
  if (display_width(cell) <= width) return cell;
  std::string shown;
  std::size_t columns = 0;
  for (const char c : cell) {
    const bool starts_character = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_character && ++columns == width) break;
    shown += c;
  }
  return shown + "…";
}

}  // namespace

std::vector<std::string> format_names() { return {"table", "tsv", "json", "jsonl"}; }

Format pick_format(const std::string& name, bool json_requested) {
  if (json_requested || name == "json") return Format::json;
  if (name == "jsonl") return Format::jsonl;
  if (name == "table") return Format::table;
  if (name == "tsv") return Format::tsv;
  return isatty(STDOUT_FILENO) ? Format::table : Format::tsv;
}

std::string tsv_cell(std::string_view bytes) {
  std::string cell;
  cell.reserve(bytes.size());
  for (const char c : bytes) {
    switch (c) {
      case '\t':
        cell += "\\t";
        break;
      case '\n':
        cell += "\\n";
        break;
      case '\r':
        cell += "\\r";
        break;
      case '\\':
        cell += "\\\\";
        break;
      default:
        cell += c;
    }
  }
  return cell;
}

void Output::json(const nlohmann::json& document) const {
  // Strings are UTF-8 by construction (json_bytes.hpp); replace guards against a stray byte.
  const auto line = [](const nlohmann::json& value) {
    std::cout << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  if (format_ == Format::jsonl && document.is_array()) {
    for (const auto& element : document) line(element);
    return;
  }
  line(document);
}

void Output::table(const Row& header, const std::vector<Row>& rows) const {
  if (format_ != Format::table) {
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) std::cout << (i ? "\t" : "") << tsv_cell(row[i]);
      std::cout << '\n';
    }
    return;
  }
  std::vector<Row> shown{header};
  for (const auto& row : rows) {
    Row cells;
    for (const auto& cell : row) {
      cells.push_back(wide_ ? printable(cell) : cut(printable(cell), kTableCellWidth));
    }
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
