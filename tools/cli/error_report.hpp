// Runs a command and turns whatever it throws into one line on stderr and an exit code.
#pragma once

#include <functional>
#include <string>

#include "exit_codes.hpp"

namespace kvcli {

// Runs `action`; returns ExitCode::ok, or the code of what it threw after writing one line to
// stderr: CliError -> its code, kvstore::InvalidArgument -> usage, any other kvstore::Error or
// exception -> store_error. Every line names `command` (the subcommand typed): a library message's
// own operation ("kvstore: erase g/k: ...") gives way to it ("kvstore: del: g/k: ...").
ExitCode run_reporting_errors(const std::string& command, const std::function<void()>& action);

// Writes "kvstore: <command>: <message>" (on one line) to stderr.
void report_error(const std::string& command, const std::string& message);

}  // namespace kvcli
