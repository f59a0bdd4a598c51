#include "utf8.hpp"

#ifdef _WIN32
#include <windows.h>
// after windows.h, whose macros it uses
#include <shellapi.h>
#endif

#include <memory>
#include <system_error>

namespace kvcli {

#ifdef _WIN32
namespace {

std::string utf8_of_wide(const wchar_t* wide) {
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
  if (size <= 0)
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category());
  std::string text(static_cast<std::size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide, -1, text.data(), size, nullptr, nullptr);
  text.pop_back();  // the terminating NUL the call wrote
  return text;
}

}  // namespace

std::vector<std::string> utf8_arguments(int, char**) {
  int count = 0;
  const std::unique_ptr<LPWSTR, HLOCAL (*)(HLOCAL)> wide(
      ::CommandLineToArgvW(::GetCommandLineW(), &count), ::LocalFree);
  if (!wide) throw std::system_error(static_cast<int>(::GetLastError()), std::system_category());
  std::vector<std::string> arguments;
  for (int i = 0; i < count; ++i) arguments.push_back(utf8_of_wide(wide.get()[i]));
  return arguments;
}
#else
std::vector<std::string> utf8_arguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}
#endif

std::filesystem::path path_of(const std::string& utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

std::string utf8_of(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

}  // namespace kvcli
