// Asking before a command changes much at once (migrate, rm-group, rm-prefix).
#pragma once

#include <string>

namespace kvcli {

// Returns if `yes` (--yes) is set, or if stdin is a terminal and the answer to `question`
// (asked on stderr, "[y/N]") starts with y or Y. Throws CliError (usage) when stdin is not a
// terminal (a script must give --yes) or the answer is anything else.
void require_confirmation(const std::string& command, const std::string& question, bool yes);

}  // namespace kvcli
