#include "file_descriptor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace kvstore::detail {
namespace {

[[noreturn]] void throw_errno(std::string_view call, const std::string& path) {
  throw std::system_error(errno, std::generic_category(), std::string(call) + " " + path);
}

int open_retrying(const std::string& path, int flags) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

}  // namespace

FileDescriptor FileDescriptor::open(const std::string& path, int flags) {
  const int fd = open_retrying(path, flags);
  if (fd < 0) throw_errno("open", path);
  return FileDescriptor(fd, path);
}

std::optional<FileDescriptor> FileDescriptor::open_if_exists(const std::string& path, int flags) {
  const int fd = open_retrying(path, flags);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) throw_errno("open", path);
  return FileDescriptor(fd, path);
}

FileDescriptor::FileDescriptor(FileDescriptor&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

// close(2) is not retried on EINTR: on Linux the descriptor is released whatever it returns.
// Data that must survive was made durable by sync() before.
FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

void FileDescriptor::fail(std::string_view call) const { throw_errno(call, path_); }

void FileDescriptor::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::size_t FileDescriptor::read_some(std::span<char> out) {
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) fail("read");
  }
}

void FileDescriptor::read_exactly(std::span<char> out) {
  while (!out.empty()) {
    const auto n = read_some(out);
    if (n == 0) {
      throw std::system_error(std::make_error_code(std::errc::io_error),
                              "read " + path_ + ": the file ends " + std::to_string(out.size()) +
                                  " bytes before its recorded size");
    }
    out = out.subspan(n);
  }
}

bool FileDescriptor::is_linked() const {
  struct stat status {};
  if (::fstat(fd_, &status) != 0) fail("fstat");
  return status.st_nlink > 0;
}

void FileDescriptor::sync() {
  while (::fsync(fd_) != 0) {
    if (errno != EINTR) fail("fsync");
  }
}

}  // namespace kvstore::detail
