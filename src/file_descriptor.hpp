// An owned POSIX file descriptor with the few calls streamed values need, each retried on EINTR.
//
// Failures throw std::system_error naming the call and the path (Operation's translation makes
// them StorageError). Not thread-safe: one owner uses it at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kvstore::detail {

class FileDescriptor {
 public:
  // Opens `path` with open(2) `flags` (O_CLOEXEC is added); new files get mode 0644.
  static FileDescriptor open(const std::string& path, int flags);
  // Like open(), but nullopt when `path` does not exist.
  static std::optional<FileDescriptor> open_if_exists(const std::string& path, int flags);

  FileDescriptor(FileDescriptor&& other) noexcept;
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  ~FileDescriptor();

  // Writes all of `bytes`.
  void write_all(std::string_view bytes);
  // Reads up to out.size() bytes; returns how many (0 at the end of the file).
  std::size_t read_some(std::span<char> out);
  // Fills all of `out`; throws (EIO) if the file ends first.
  void read_exactly(std::span<char> out);
  // Flushes the file's data and metadata to the device (fsync).
  void sync();
  // Whether the file still has a name (it was not unlinked since it was opened).
  bool is_linked() const;
  const std::string& path() const { return path_; }

 private:
  FileDescriptor(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  [[noreturn]] void fail(std::string_view call) const;

  int fd_ = -1;
  std::string path_;
};

}  // namespace kvstore::detail
