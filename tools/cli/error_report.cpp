#include "error_report.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <kvstore/errors.hpp>

namespace kvcli {
namespace {

// Newlines would break the one-line rule; an error message never needs them.
std::string one_line(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

// The library's messages already start with "kvstore: <operation> <group/key>:".
void report_library_error(const std::exception& error) {
  std::cerr << one_line(error.what()) << std::endl;
}

}  // namespace

void report_error(const std::string& command, const std::string& message) {
  std::cerr << "kvstore: " << (command.empty() ? "" : command + ": ") << one_line(message)
            << std::endl;
}

ExitCode run_reporting_errors(const std::string& command, const std::function<void()>& action) {
  try {
    action();
    return ExitCode::ok;
  } catch (const CliError& error) {
    report_error(command, error.what());
    return error.code();
  } catch (const kvstore::InvalidArgument& error) {
    report_library_error(error);
    return ExitCode::usage;
  } catch (const kvstore::Error& error) {
    report_library_error(error);
    return ExitCode::store_error;
  } catch (const std::exception& error) {
    report_error(command, error.what());
    return ExitCode::store_error;
  }
}

}  // namespace kvcli
