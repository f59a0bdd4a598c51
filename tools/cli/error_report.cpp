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

// The library's messages read "kvstore: <operation> <target>: <detail>", its operation named as in
// the API ("erase", "open"). People typed a command ("del"): report_error names that instead, and
// keeps the target and the detail.
std::string without_operation(const std::string& message) {
  constexpr std::string_view kPrefix = "kvstore: ";
  if (!message.starts_with(kPrefix)) return message;
  const auto rest = message.substr(kPrefix.size());
  const auto head_end = rest.find(": ");
  if (head_end == std::string::npos) return message;
  const auto head = rest.substr(0, head_end);
  const auto space = head.find(' ');
  return space == std::string::npos ? rest.substr(head_end + 2) : rest.substr(space + 1);
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
    report_error(command, without_operation(error.what()));
    return ExitCode::usage;
  } catch (const kvstore::Error& error) {
    report_error(command, without_operation(error.what()));
    return ExitCode::store_error;
  } catch (const std::exception& error) {
    report_error(command, error.what());
    return ExitCode::store_error;
  }
}

}  // namespace kvcli
