// The process and its rights (storage/platform/platform.hpp) on Win32 calls.
#include <windows.h>

#include "storage/platform/platform.hpp"
#include "storage/platform/windows_support.hpp"

namespace kvstore::detail {

std::int64_t current_process_id() noexcept { return ::GetCurrentProcessId(); }

// Windows has no access(2) for directories (its read-only attribute means nothing on them, and
// the ACLs decide): creating a file, deleted at once, is the answer.
bool may_create_files_in(const std::string& directory) {
  try {
    const std::wstring wide = windows::to_utf16(directory);
    wchar_t name[MAX_PATH];
    if (::GetTempFileNameW(wide.c_str(), L"kvs", 0, name) == 0) return false;
    ::DeleteFileW(name);  // GetTempFileNameW created it
    return true;
  } catch (const std::exception&) {
    return false;  // not a UTF-8 path, or no memory: cannot tell
  }
}

}  // namespace kvstore::detail
