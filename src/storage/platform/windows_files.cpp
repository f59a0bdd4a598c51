// The operating system's FileSystem (storage/file_system.hpp) on Win32 calls with UTF-16 paths.
// Every handle shares reading, writing and deleting, as POSIX descriptors do: a reader does not
// keep a writer out, and a file being read can be removed (it goes when its last handle closes).
#include <windows.h>

#include <limits>
#include <string>
#include <system_error>
#include <utility>

#include "storage/file_system.hpp"
#include "storage/platform/platform.hpp"
#include "storage/platform/windows_support.hpp"

namespace kvstore::detail {
namespace {

using windows::throw_last_error;
using windows::to_utf16;

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
// The largest transfer one ReadFile/WriteFile is asked for.
constexpr std::size_t kMaxTransfer = 1u << 30;

bool is_missing(DWORD error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND;
}

class Handle {
 public:
  explicit Handle(HANDLE handle) noexcept : handle_(handle) {}
  ~Handle() { ::CloseHandle(handle_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return handle_; }

 private:
  HANDLE handle_;
};

HANDLE open_handle(const std::string& path, DWORD access, DWORD disposition) {
  return ::CreateFileW(to_utf16(path).c_str(), access, kShareAll, nullptr, disposition,
                       FILE_ATTRIBUTE_NORMAL, nullptr);
}

class WindowsFile final : public File {
 public:
  WindowsFile(HANDLE handle, std::string path) : File(std::move(path)), handle_(handle) {}

  void write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      DWORD written = 0;
      const auto chunk = static_cast<DWORD>(std::min(bytes.size(), kMaxTransfer));
      if (!::WriteFile(handle_.get(), bytes.data(), chunk, &written, nullptr)) {
        throw_last_error("WriteFile", path());
      }
      bytes.remove_prefix(written);
    }
  }

  std::size_t read_some(std::span<char> out) override {
    DWORD read = 0;
    const auto chunk = static_cast<DWORD>(std::min(out.size(), kMaxTransfer));
    if (!::ReadFile(handle_.get(), out.data(), chunk, &read, nullptr)) {
      throw_last_error("ReadFile", path());
    }
    return read;
  }

  void sync() override {
    if (!::FlushFileBuffers(handle_.get())) throw_last_error("FlushFileBuffers", path());
  }

  // A lock of one byte far beyond any value's end: Windows locks are mandatory for the bytes
  // they cover, and no read or write comes near this one. Like flock(2) it belongs to the open
  // file (another handle of this process conflicts with it), and it goes when its holder dies.
  bool try_lock() override {
    OVERLAPPED at{};
    at.Offset = 0xFFFFFFFEu;
    at.OffsetHigh = 0x7FFFFFFFu;
    if (::LockFileEx(handle_.get(), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                     &at)) {
      return true;
    }
    if (::GetLastError() == ERROR_LOCK_VIOLATION) return false;
    throw_last_error("LockFileEx", path());
  }

 private:
  Handle handle_;
};

// The File of a handle CreateFileW returned. Throws for a failed call before anything else can
// change the thread's last error.
std::unique_ptr<File> file_of(HANDLE handle, const std::string& path) {
  if (handle == INVALID_HANDLE_VALUE) throw_last_error("CreateFileW", path);
  try {
    return std::make_unique<WindowsFile>(handle, path);
  } catch (...) {
    ::CloseHandle(handle);
    throw;
  }
}

class WindowsFileSystem final : public FileSystem {
 public:
  std::unique_ptr<File> create(const std::string& path) override {
    return file_of(open_handle(path, GENERIC_WRITE, CREATE_NEW), path);
  }

  std::unique_ptr<File> open(const std::string& path) override {
    const HANDLE handle = open_handle(path, GENERIC_READ, OPEN_EXISTING);
    if (handle == INVALID_HANDLE_VALUE && is_missing(::GetLastError())) return nullptr;
    return file_of(handle, path);
  }

  bool make_directory(const std::string& path) override {
    if (::CreateDirectoryW(to_utf16(path).c_str(), nullptr)) return true;
    if (::GetLastError() == ERROR_ALREADY_EXISTS) return false;
    throw_last_error("CreateDirectoryW", path);
  }

  bool remove_directory(const std::string& path) override {
    if (::RemoveDirectoryW(to_utf16(path).c_str())) return true;
    if (is_missing(::GetLastError())) return false;
    throw_last_error("RemoveDirectoryW", path);
  }

  // Windows has no call that makes a directory's entries durable: NTFS journals them with the
  // file's own metadata, which FlushFileBuffers on the file flushes (SQLite syncs no directory
  // on Windows either). What is checked is that the directory is there.
  void sync_directory(const std::string& directory) override {
    const DWORD attributes = ::GetFileAttributesW(to_utf16(directory).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) throw_last_error("GetFileAttributesW", directory);
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
      throw std::system_error(ENOTDIR, std::generic_category(), "sync " + directory);
    }
  }

  bool remove(const std::string& path) override {
    if (::DeleteFileW(to_utf16(path).c_str())) return true;
    if (is_missing(::GetLastError())) return false;
    throw_last_error("DeleteFileW", path);
  }

  std::vector<std::string> list(const std::string& directory) override {
    std::vector<std::string> names;
    WIN32_FIND_DATAW entry{};
    const std::wstring pattern = to_utf16(directory) + L"\\*";
    const HANDLE find = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &entry,
                                           FindExSearchNameMatch, nullptr, 0);
    if (find == INVALID_HANDLE_VALUE) {
      if (is_missing(::GetLastError())) return names;
      throw_last_error("FindFirstFileExW", directory);
    }
    const std::unique_ptr<void, BOOL (*)(HANDLE)> closing(find, ::FindClose);
    do {
      // Regular files only, as lstat(2) would say: no directories, no links (reparse points).
      constexpr DWORD kNotRegular = FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT;
      if ((entry.dwFileAttributes & kNotRegular) == 0) {
        names.push_back(windows::to_utf8(entry.cFileName));
      }
    } while (::FindNextFileW(find, &entry));
    if (::GetLastError() != ERROR_NO_MORE_FILES) throw_last_error("FindNextFileW", directory);
    return names;
  }

  std::optional<std::uint64_t> size(const std::string& path) override {
    WIN32_FILE_ATTRIBUTE_DATA data{};
    if (::GetFileAttributesExW(to_utf16(path).c_str(), GetFileExInfoStandard, &data)) {
      return (static_cast<std::uint64_t>(data.nFileSizeHigh) << 32) | data.nFileSizeLow;
    }
    if (is_missing(::GetLastError())) return std::nullopt;
    throw_last_error("GetFileAttributesExW", path);
  }
};

}  // namespace

FileSystem& operating_system_files() {
  static WindowsFileSystem files;
  return files;
}

void link_file(const std::string& from, const std::string& to) {
  if (!::CreateHardLinkW(to_utf16(to).c_str(), to_utf16(from).c_str(), nullptr)) {
    throw_last_error("CreateHardLinkW", to);
  }
}

}  // namespace kvstore::detail
