// Bash completion for kvstore, generated from the commands and options the tool defines, so that
// it cannot drift from them: `kvstore completion bash` prints it, and the build installs it
// (tools/CMakeLists.txt).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "registry.hpp"

namespace kvcli {

// The bash script: completes command names, each command's options and the global ones, file
// names after an option whose value is a PATH or FILE, and the formats after -o/--output.
std::string bash_completion(const CLI::App& app);

// Adds the `completion` command, which prints bash_completion(app).
void add_completion_command(Registry& registry, const CLI::App& app);

}  // namespace kvcli
