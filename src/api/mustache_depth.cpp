#include "api/mustache_depth.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace kvstore::detail {
namespace {

constexpr std::string_view kSpaces = " \t\n\v\f\r";  // what kainjow's trim() drops

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpaces) - first + 1);
}

bool valid_delimiter(std::string_view delimiter) {
  for (const char c : delimiter) {
    if (c == '=' || std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "=<% %>=" -> begin "<%", end "%>", as kainjow's parse_set_delimiter_tag reads it.
bool read_set_delimiter(std::string_view contents, std::string& begin, std::string& end) {
  if (contents.size() < 5 || contents.back() != '=') return false;
  const auto inner = trimmed(contents.substr(1, contents.size() - 2));
  const auto space = inner.find(' ');
  if (space == std::string_view::npos) return false;
  const auto next = inner.find_first_not_of(' ', space + 1);
  if (next == std::string_view::npos) return false;
  const auto new_begin = inner.substr(0, space), new_end = inner.substr(next);
  if (!valid_delimiter(new_begin) || !valid_delimiter(new_end)) return false;
  begin = new_begin;
  end = new_end;
  return true;
}

}  // namespace

std::size_t section_depth(std::string_view text) {
  std::string begin = "{{", end = "}}";
  std::size_t depth = 0, deepest = 0;
  for (std::size_t tag = text.find(begin); tag != std::string_view::npos;
       tag = text.find(begin, tag)) {
    auto contents = tag + begin.size();
    // {{{name}}}: an unescaped variable, closed by "}}}" (only with the default delimiters).
    const bool triple =
        begin == "{{" && end == "}}" && contents < text.size() && text[contents] == begin[0];
    const std::string_view closing = triple ? std::string_view("}}}") : std::string_view(end);
    contents += triple ? 1 : 0;
    const auto close = text.find(closing, contents);
    if (close == std::string_view::npos) break;
    const auto inside = trimmed(text.substr(contents, close - contents));
    tag = close + closing.size();
    if (triple || inside.empty()) continue;
    if (inside[0] == '=') {
      if (!read_set_delimiter(inside, begin, end)) break;
    } else if (inside[0] == '#' || inside[0] == '^') {
      deepest = std::max(deepest, ++depth);
    } else if (inside[0] == '/' && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace kvstore::detail
