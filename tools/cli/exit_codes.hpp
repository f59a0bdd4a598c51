// Exit codes of the kvstore CLI (docs/cli.md) and the error that carries one.
#pragma once

#include <stdexcept>
#include <string>

namespace kvcli {

enum class ExitCode : int {
  ok = 0,
  not_found = 1,    // the key or group does not exist
  usage = 2,        // bad arguments or bad input (an import file, a template, a JSON value)
  store_error = 3,  // the store failed: missing file, corrupt, locked, full, schema
};

// A failure reported as one line on stderr ("kvstore: <command>: <message>"), exiting with code().
class CliError : public std::runtime_error {
 public:
  CliError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

}  // namespace kvcli
