// The operating system's FileSystem (storage/file_system.hpp) on POSIX calls, each retried on
// EINTR: Linux, macOS and the BSDs (flock(2) is not POSIX, but all of them have it).
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include "storage/file_system.hpp"
#include "storage/platform/platform.hpp"

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

// An owned descriptor. close(2) is not retried on EINTR: on Linux the descriptor is released
// whatever it returns. Data that must survive was made durable by sync() before.
class Descriptor {
 public:
  Descriptor(int fd, const std::string& path) : fd_(fd) {
    if (fd_ < 0) throw_errno("open", path);
  }
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void sync_descriptor(int fd, const std::string& path) {
#if defined(F_FULLFSYNC)
  // macOS: fsync(2) leaves the data in the drive's cache; F_FULLFSYNC flushes it. File systems
  // that refuse it (some network ones) get fsync(2), as SQLite does.
  if (::fcntl(fd, F_FULLFSYNC) == 0) return;
#endif
  while (::fsync(fd) != 0) {
    if (errno != EINTR) throw_errno("fsync", path);
  }
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : File(std::move(path)), fd_(fd, this->path()) {}

  void write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno("write", path());
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::size_t read_some(std::span<char> out) override {
    for (;;) {
      const ssize_t n = ::read(fd_.get(), out.data(), out.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) throw_errno("read", path());
    }
  }

  void sync() override { sync_descriptor(fd_.get(), path()); }

  bool try_lock() override {
    while (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) return false;
      if (errno != EINTR) throw_errno("flock", path());
    }
    return true;
  }

 private:
  Descriptor fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  std::unique_ptr<File> create(const std::string& path) override {
    return std::make_unique<PosixFile>(open_retrying(path, O_WRONLY | O_CREAT | O_EXCL), path);
  }

  std::unique_ptr<File> open(const std::string& path) override {
    const int fd = open_retrying(path, O_RDONLY);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) return nullptr;
    return std::make_unique<PosixFile>(fd, path);
  }

  bool make_directory(const std::string& path) override {
    if (::mkdir(path.c_str(), 0777) == 0) return true;
    if (errno == EEXIST) return false;
    throw_errno("mkdir", path);
  }

  bool remove_directory(const std::string& path) override {
    if (::rmdir(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    throw_errno("rmdir", path);
  }

  void sync_directory(const std::string& directory) override {
    const Descriptor fd(open_retrying(directory, O_RDONLY | O_DIRECTORY), directory);
    sync_descriptor(fd.get(), directory);
  }

  bool remove(const std::string& path) override {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    throw_errno("unlink", path);
  }

  std::vector<std::string> list(const std::string& directory) override {
    std::vector<std::string> names;
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
    if (!dir) {
      if (errno == ENOENT) return names;
      throw_errno("opendir", directory);
    }
    errno = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
      struct stat status {};
      const std::string name = entry->d_name;
      if (::fstatat(::dirfd(dir.get()), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISREG(status.st_mode)) {
        names.push_back(name);
      }
      errno = 0;
    }
    if (errno != 0) throw_errno("readdir", directory);
    return names;
  }

  std::optional<std::uint64_t> size(const std::string& path) override {
    struct stat status {};
    if (::stat(path.c_str(), &status) == 0) return static_cast<std::uint64_t>(status.st_size);
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw_errno("stat", path);
  }
};

}  // namespace

FileSystem& operating_system_files() {
  static PosixFileSystem files;
  return files;
}

void link_file(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) != 0) throw_errno("link", to);
}

}  // namespace kvstore::detail
