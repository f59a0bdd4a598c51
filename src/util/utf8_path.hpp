// Paths inside the store are UTF-8 strings: SQLite takes file names so on every system, and so
// does the platform layer (storage/platform/). std::filesystem::path's narrow strings are in the
// system's code page on Windows, so a path crosses between the two only through these (on the
// other systems they copy the bytes).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kvstore::detail {

// Throws std::system_error if `utf8` is not valid UTF-8 (on Windows); std::bad_alloc.
inline std::filesystem::path path_of_utf8(std::string_view utf8) {
  return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
}

// Throws std::system_error if `path` is not valid UTF-16 (on Windows); std::bad_alloc.
inline std::string utf8_of(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

}  // namespace kvstore::detail
