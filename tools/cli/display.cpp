#include "display.hpp"

#include <cstdio>

#include "json_bytes.hpp"

namespace kvcli {

std::string printable(std::string_view bytes, bool keep_lines) {
  const bool utf8 = is_utf8(bytes);
  std::string shown;
  shown.reserve(bytes.size());
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (keep_lines && (c == '\n' || c == '\t' || c == '\\')) {
      shown += c;
      continue;
    }
    switch (c) {
      case '\n':
        shown += "\\n";
        continue;
      case '\t':
        shown += "\\t";
        continue;
      case '\r':
        shown += "\\r";
        continue;
      case '\\':
        shown += "\\\\";
        continue;
      default:
        break;
    }
    if (byte < 0x20 || byte == 0x7f || (!utf8 && byte >= 0x80)) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      shown += escaped;
    } else {
      shown += c;
    }
  }
  return shown;
}

std::string key_name(std::string_view group, std::string_view key) {
  return printable(group) + "/" + printable(key);
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (const char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

}  // namespace kvcli
