#include "input.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "exit_codes.hpp"
#include "utf8.hpp"

namespace kvcli {
namespace {

// "<line>:<column>" of the byte at `offset` (0-based).
std::string position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto before = text.substr(0, offset);
  const std::size_t line = 1 + std::count(before.begin(), before.end(), '\n');
  const std::size_t line_start =
      before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

// nlohmann's message without its "[json.exception...] parse error at ...:" preamble.
std::string detail_of(const nlohmann::json::parse_error& error) {
  const std::string what = error.what();
  const auto start = what.find("syntax error");
  return start == std::string::npos ? what : what.substr(start);
}

}  // namespace

std::string read_input(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path_of(path), std::ios::binary);
  if (!file) throw CliError(ExitCode::usage, "cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) throw CliError(ExitCode::usage, "cannot read " + path);
  return std::move(content).str();
}

nlohmann::json parse_json(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // error.byte is the 1-based index of the last character read: the one at fault.
    const std::size_t offset = error.byte == 0 ? 0 : error.byte - 1;
    throw CliError(ExitCode::usage, source + ":" + position_of(text, offset) +
                                        ": invalid JSON: " + detail_of(error));
  } catch (const nlohmann::json::out_of_range& error) {
    // A number too large for a double (e.g. 1e400): nlohmann gives no position for it.
    throw CliError(ExitCode::usage, source + ": invalid JSON: " + error.what());
  }
}

}  // namespace kvcli
