// What the Windows implementations of the platform layer share: UTF-8 <-> UTF-16 paths (the
// store's paths are UTF-8; the wide Win32 calls take UTF-16) and the errors of Win32 calls.
#pragma once

#include <string>
#include <string_view>

namespace kvstore::detail::windows {

// Throws std::system_error (EILSEQ) if `utf8` is not valid UTF-8; std::bad_alloc.
std::wstring to_utf16(const std::string& utf8);
// Throws std::system_error (EILSEQ) if `utf16` is not valid UTF-16; std::bad_alloc.
std::string to_utf8(std::wstring_view utf16);

// Throws std::system_error for the calling thread's last Win32 error, naming the call and the
// path: the errors the store tells apart (a file that exists or is missing, a full disk) in the
// generic category, as errno values, the others in the system category.
[[noreturn]] void throw_last_error(std::string_view call, const std::string& path);

}  // namespace kvstore::detail::windows
