#include "storage/platform/windows_support.hpp"

#include <windows.h>

#include <cerrno>
#include <climits>
#include <system_error>

namespace kvstore::detail::windows {
namespace {

[[noreturn]] void throw_invalid_text(std::string_view what) {
  throw std::system_error(std::make_error_code(std::errc::illegal_byte_sequence),
                          std::string(what));
}

int length_of(std::size_t size, std::string_view what) {
  if (size > static_cast<std::size_t>(INT_MAX)) throw_invalid_text(what);
  return static_cast<int>(size);
}

}  // namespace

std::wstring to_utf16(const std::string& utf8) {
  if (utf8.empty()) return {};
  const int in = length_of(utf8.size(), "path too long");
  const int out = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), in, nullptr, 0);
  if (out == 0) throw_invalid_text("path not UTF-8: " + utf8);
  std::wstring wide(static_cast<std::size_t>(out), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), in, wide.data(), out);
  return wide;
}

std::string to_utf8(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int in = length_of(utf16.size(), "name too long");
  const int out = ::WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, utf16.data(), in, nullptr, 0,
                                        nullptr, nullptr);
  if (out == 0) throw_invalid_text("file name not UTF-16");
  std::string narrow(static_cast<std::size_t>(out), '\0');
  ::WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, utf16.data(), in, narrow.data(), out,
                        nullptr, nullptr);
  return narrow;
}

void throw_last_error(std::string_view call, const std::string& path) {
  const DWORD error = ::GetLastError();
  const std::string what = std::string(call) + " " + path;
  switch (error) {
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      throw std::system_error(EEXIST, std::generic_category(), what);
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
      throw std::system_error(ENOENT, std::generic_category(), what);
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      throw std::system_error(ENOSPC, std::generic_category(), what);
    case ERROR_DIR_NOT_EMPTY:
      throw std::system_error(ENOTEMPTY, std::generic_category(), what);
    default:
      throw std::system_error(static_cast<int>(error), std::system_category(), what);
  }
}

}  // namespace kvstore::detail::windows
