// Reading what the user hands in: files ("-" = stdin) and JSON text with error positions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kvcli {

// The whole content of `path`, or of stdin for "-". Throws CliError (usage) naming the path.
std::string read_input(const std::string& path);

// Parses JSON text; on a syntax error throws CliError (usage):
//   "<source>:<line>:<column>: invalid JSON: <what is wrong>"
// with line and column (1-based, in bytes) of the offending character.
nlohmann::json parse_json(std::string_view text, const std::string& source);

}  // namespace kvcli
