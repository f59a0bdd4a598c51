// Small pieces several command families share.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "display.hpp"
#include "exit_codes.hpp"

namespace kvcli {

// The <group> <key> positionals of get, set, del, ttl.
struct KeyArgs {
  std::string group, key;
};

inline void add_key_args(CLI::App* command, KeyArgs& args) {
  command->add_option("group", args.group, "Group")->required();
  command->add_option("key", args.key, "Key")->required();
}

// Exit code 1: "<group>/<key>: not found".
inline CliError key_not_found(std::string_view group, std::string_view key) {
  return {ExitCode::not_found, key_name(group, key) + ": not found"};
}

// Exit code 1: "<group>: group not found".
inline CliError group_not_found(std::string_view group) {
  return {ExitCode::not_found, printable(group) + ": group not found"};
}

}  // namespace kvcli
