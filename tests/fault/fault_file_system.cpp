#include "fault_file_system.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>

#include "fault_control.hpp"
#include "sector_journal.hpp"
#include "storage/file_system.hpp"

namespace kvfault {
namespace {

using kvstore::detail::File;
using kvstore::detail::FileSystem;
namespace fs = std::filesystem;

// Asks Control about `call`; throws what the real call would for the fault it answers.
void check(Call call, const std::string& what) {
  const int code = Control::get().decide(call);
  if (code == SQLITE_OK) return;
  const int error = (code & 0xff) == SQLITE_FULL ? ENOSPC : EIO;
  throw std::system_error(error, std::generic_category(), "kvfault: " + what);
}

std::string directory_of(const std::string& path) { return fs::path(path).parent_path().string(); }

// Reads the file as it is now, for the journal: zeros past its end.
bool read_now(const std::string& path, std::int64_t offset, std::span<char> out) {
  std::fill(out.begin(), out.end(), '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT;
  std::size_t done = 0;
  bool ok = true;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ok;
}

class FaultFile final : public File {
 public:
  FaultFile(std::unique_ptr<File> real, SectorJournal* journal, std::int64_t size)
      : File(real->path()),
        real_(std::move(real)),
        journal_(journal),
        tracked_(journal ? journal->open(path(), size) : nullptr),
        size_(size) {}

  void write_all(std::string_view bytes) override {
    check(fs_write, "write " + path());
    const auto reader = [this](std::int64_t offset, std::span<char> out) {
      return read_now(path(), offset, out);
    };
    if (tracked_ && !journal_->before_write(*tracked_, size_,
                                            static_cast<std::int64_t>(bytes.size()), reader)) {
      throw std::system_error(EIO, std::generic_category(), "kvfault: journal " + path());
    }
    real_->write_all(bytes);
    size_ += static_cast<std::int64_t>(bytes.size());
  }

  std::size_t read_some(std::span<char> out) override {
    check(fs_read, "read " + path());
    return real_->read_some(out);
  }

  void sync() override {
    check(fs_sync, "fsync " + path());
    if (Control::get().real_sync()) real_->sync();
    if (tracked_) journal_->synced(*tracked_, size_);
  }

  bool try_lock() override {
    check(fs_lock, "flock " + path());
    return real_->try_lock();
  }

 private:
  std::unique_ptr<File> real_;
  SectorJournal* journal_;  // null for a file opened for reading: it is never written
  SectorJournal::FileRef tracked_;
  std::int64_t size_;  // the append position
};

// Directory entries changed since their directory's last sync (see the header).
class DirectoryJournal final : public Journal {
 public:
  DirectoryJournal() { Control::get().add_journal(this); }
  ~DirectoryJournal() override { Control::get().remove_journal(this); }
  DirectoryJournal(const DirectoryJournal&) = delete;
  DirectoryJournal& operator=(const DirectoryJournal&) = delete;

  void created(const std::string& path) {
    std::lock_guard lock(mutex_);
    created_[directory_of(path)].insert(path);
  }

  // `path` is gone for good: a power cut has nothing of it to lose.
  void forget(const std::string& path) {
    std::lock_guard lock(mutex_);
    created_[directory_of(path)].erase(path);
  }

  // Removes `path` for real, keeping its bytes aside while the removal is not durable.
  bool remove(const std::string& path, FileSystem& real) {
    std::lock_guard lock(mutex_);
    auto& created = created_[directory_of(path)];
    if (created.erase(path) > 0) return real.remove(path);  // never durable: nothing to bring back
    const auto aside = aside_path(path);
    fs::create_directories(fs::path(aside).parent_path());
    if (::link(path.c_str(), aside.c_str()) != 0) {
      if (errno == ENOENT) return false;
      throw std::system_error(errno, std::generic_category(), "kvfault: link " + path);
    }
    removed_[directory_of(path)][path] = aside;
    return real.remove(path);
  }

  void synced(const std::string& directory) {
    std::lock_guard lock(mutex_);
    created_.erase(directory);
    if (const auto it = removed_.find(directory); it != removed_.end()) {
      for (const auto& [path, aside] : it->second) ::unlink(aside.c_str());
      removed_.erase(it);
    }
  }

  void lose_unsynced(LossMode mode, std::mt19937_64& random) override {
    std::lock_guard lock(mutex_);
    const auto lost = [&] { return mode == LossMode::drop || (random() & 1) != 0; };
    for (const auto& [directory, paths] : created_) {
      for (const auto& path : paths) {
        std::error_code ignored;  // already gone: removed since, or its directory lost
        if (lost()) fs::remove_all(path, ignored);
      }
    }
    for (const auto& [directory, paths] : removed_) {
      for (const auto& [path, aside] : paths) {
        if (lost() && fs::exists(directory)) {
          ::rename(aside.c_str(), path.c_str());
        } else {
          ::unlink(aside.c_str());
        }
      }
    }
    created_.clear();
    removed_.clear();
  }

  void forget_unsynced() override {
    std::lock_guard lock(mutex_);
    for (const auto& [directory, paths] : removed_) {
      for (const auto& [path, aside] : paths) ::unlink(aside.c_str());
    }
    created_.clear();
    removed_.clear();
  }

 private:
  // Beside the directory, where kvstore never looks, on the same file system (for link(2)).
  std::string aside_path(const std::string& path) {
    const auto directory = fs::path(directory_of(path));
    return (directory.parent_path() / ".kvfault-removed" / std::to_string(++aside_count_)).string();
  }

  std::mutex mutex_;
  std::map<std::string, std::set<std::string>> created_;               // by directory
  std::map<std::string, std::map<std::string, std::string>> removed_;  // path -> aside
  std::uint64_t aside_count_ = 0;
};

class FaultFileSystem final : public FileSystem {
 public:
  std::unique_ptr<File> create(const std::string& path) override {
    check(fs_create, "create " + path);
    auto file = real_.create(path);
    directories_.created(path);
    return std::make_unique<FaultFile>(std::move(file), &contents_, 0);
  }

  std::unique_ptr<File> open(const std::string& path) override {
    check(fs_open, "open " + path);
    auto file = real_.open(path);
    if (!file) return nullptr;
    return std::make_unique<FaultFile>(std::move(file), nullptr, 0);
  }

  bool make_directory(const std::string& path) override {
    check(fs_make_directory, "mkdir " + path);
    if (!real_.make_directory(path)) return false;
    directories_.created(path);
    return true;
  }

  // A removed directory a power cut would bring back is not modelled: only an empty one is
  // removed, and nothing tells an empty directory that came back from one never removed.
  bool remove_directory(const std::string& path) override {
    check(fs_remove, "rmdir " + path);
    directories_.forget(path);
    return real_.remove_directory(path);
  }

  void sync_directory(const std::string& directory) override {
    check(fs_sync_directory, "fsync " + directory);
    if (Control::get().real_sync()) real_.sync_directory(directory);
    directories_.synced(directory);
  }

  bool remove(const std::string& path) override {
    check(fs_remove, "unlink " + path);
    contents_.removed(path);
    return directories_.remove(path, real_);
  }

  std::vector<std::string> list(const std::string& directory) override {
    check(fs_list, "list " + directory);
    return real_.list(directory);
  }

  std::optional<std::uint64_t> size(const std::string& path) override {
    check(fs_size, "stat " + path);
    return real_.size(path);
  }

 private:
  FileSystem& real_ = kvstore::detail::operating_system_files();
  SectorJournal contents_;
  DirectoryJournal directories_;
};

}  // namespace

void install_file_system() {
  static FaultFileSystem files;
  kvstore::detail::replace_file_system(&files);
}

}  // namespace kvfault
