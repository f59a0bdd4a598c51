// A command-line mistake told the way people make it: "unknown command 'gett' (did you mean
// 'get'?)", "unknown option '--bd' (did you mean '--db'?)", instead of the parser's view of it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kvcli {

// The candidate nearest to `word` by edit distance, if close enough to be a typo (at most 2
// edits, and fewer than half its length); "" if none is.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

struct UsageError {
  std::string command;  // the command it concerns; "" for the tool as a whole
  std::string message;  // ends with "(see kvstore [command] --help)"
};

// What went wrong parsing `args` (argv without the program) against `app`, which threw `error`:
// the first unknown command or option, named with a suggestion, else the parser's own message.
UsageError describe_usage_error(const CLI::App& app, const std::vector<std::string>& args,
                                const CLI::ParseError& error);

}  // namespace kvcli
