// The CLI's text is UTF-8 on every system. On Windows, argv and the narrow std::filesystem::path
// conversions use the ANSI code page instead (characters outside it are lost or misread), so the
// arguments and the paths made from them go through these.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kvcli {

// The program's arguments (argv[0] first) in UTF-8: on Windows read again from the wide command
// line (GetCommandLineW, CommandLineToArgvW), elsewhere argv as it is. Throws std::bad_alloc,
// std::system_error if Windows cannot split its command line.
std::vector<std::string> utf8_arguments(int argc, char** argv);

// The path a UTF-8 string names. Throws std::bad_alloc.
std::filesystem::path path_of(const std::string& utf8);
// `path` in UTF-8. Throws std::bad_alloc.
std::string utf8_of(const std::filesystem::path& path);

}  // namespace kvcli
