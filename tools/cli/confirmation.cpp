#include "confirmation.hpp"

#include <unistd.h>

#include <iostream>

#include "exit_codes.hpp"

namespace kvcli {

void require_confirmation(const std::string& command, const std::string& question, bool yes) {
  if (yes) return;
  // A script cannot answer: it must say --yes, rather than hang on a prompt or read its input.
  if (!isatty(STDIN_FILENO)) {
    throw CliError(ExitCode::usage, question +
                                        ": not confirmed (stdin is not a terminal; add "
                                        "--yes: kvstore " +
                                        command + " ... --yes)");
  }
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer.empty() || (answer[0] != 'y' && answer[0] != 'Y')) {
    throw CliError(ExitCode::usage, "cancelled; nothing was changed");
  }
}

}  // namespace kvcli
