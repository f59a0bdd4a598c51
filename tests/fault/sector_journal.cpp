#include "sector_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace kvfault {

struct SectorJournal::File {
  struct Saved {
    // The sector's content at the last sync: min(512, durable_size - start) bytes, so empty for
    // a sector that lay wholly past the durable end.
    std::string content;
    // Whether a write touched it; a sector only truncated away comes back whole when the
    // truncation is lost (a truncation is one metadata change: all or nothing).
    bool written = false;
  };
  std::string path;
  std::int64_t durable_size = 0;
  std::map<std::int64_t, Saved> saved;  // by sector index
};

namespace {

[[noreturn]] void throw_errno(const char* call, const std::string& path) {
  throw std::system_error(errno, std::generic_category(), std::string(call) + " " + path);
}

// A descriptor opened only to apply a loss, closed on every path out.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_all_at(int fd, const std::string& bytes, std::int64_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                               static_cast<off_t>(offset + static_cast<std::int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("pwrite", path);
    done += static_cast<std::size_t>(n);
  }
}

std::int64_t size_of(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 ? static_cast<std::int64_t>(status.st_size) : 0;
}

bool coin(std::mt19937_64& random) { return (random() & 1) != 0; }

void lose(const SectorJournal::File& file, LossMode mode, std::mt19937_64& random) {
  int fd;
  do {
    fd = ::open(file.path.c_str(), O_RDWR | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == ENOENT) return;  // deleted behind the wrapper's back (a test's TempDir)
  if (fd < 0) throw_errno("open", file.path);
  const Descriptor descriptor(fd);

  struct stat status {};
  if (::fstat(fd, &status) != 0) throw_errno("fstat", file.path);
  const auto current_size = static_cast<std::int64_t>(status.st_size);
  const bool keep_current_size = mode == LossMode::tear && coin(random);
  const std::int64_t final_size = keep_current_size ? current_size : file.durable_size;
  if (final_size != current_size && ::ftruncate(fd, static_cast<off_t>(final_size)) != 0) {
    throw_errno("ftruncate", file.path);
  }

  for (const auto& [sector, saved] : file.saved) {
    const std::int64_t start = sector * SectorJournal::kSectorSize;
    if (start >= final_size) continue;
    // A written sector may have made it to the disk; one only truncated away is back with the
    // size (it is below final_size, so the truncation was lost).
    if (mode == LossMode::tear && saved.written && coin(random)) continue;
    const auto length =
        static_cast<std::size_t>(std::min(SectorJournal::kSectorSize, final_size - start));
    std::string bytes = saved.content.substr(0, length);
    bytes.resize(length, '\0');
    write_all_at(fd, bytes, start, file.path);
  }
}

}  // namespace

SectorJournal::SectorJournal() { Control::get().add_journal(this); }

SectorJournal::~SectorJournal() { Control::get().remove_journal(this); }

SectorJournal::FileRef SectorJournal::open(const std::string& path, std::int64_t size_now) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = files_.try_emplace(path);
  if (inserted) it->second = std::make_shared<File>(File{path, size_now, {}});
  return it->second;
}

bool SectorJournal::before_write(File& file, std::int64_t offset, std::int64_t amount,
                                 const Reader& read) {
  if (amount <= 0) return true;
  std::lock_guard lock(mutex_);
  return save(file, offset / kSectorSize, (offset + amount - 1) / kSectorSize, read, true);
}

bool SectorJournal::before_truncate(File& file, std::int64_t new_size, std::int64_t size_now,
                                    const Reader& read) {
  std::lock_guard lock(mutex_);
  // Sectors past the durable end need no content: a loss cuts them off or zeroes them.
  const std::int64_t end = std::min(size_now, file.durable_size);
  if (new_size >= end) return true;
  return save(file, new_size / kSectorSize, (end - 1) / kSectorSize, read, false);
}

void SectorJournal::synced(File& file, std::int64_t size_now) {
  std::lock_guard lock(mutex_);
  file.durable_size = size_now;
  file.saved.clear();
}

void SectorJournal::removed(const std::string& path) {
  std::lock_guard lock(mutex_);
  files_.erase(path);
}

std::size_t SectorJournal::unsynced_sectors() const {
  std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& [path, file] : files_) total += file->saved.size();
  return total;
}

void SectorJournal::lose_unsynced(LossMode mode, std::mt19937_64& random) {
  std::lock_guard lock(mutex_);
  for (const auto& [path, file] : files_) lose(*file, mode, random);
}

void SectorJournal::forget_unsynced() {
  std::lock_guard lock(mutex_);
  for (auto it = files_.begin(); it != files_.end();) {
    // Only the map holds it: no handle is open, and the next open starts afresh from the file.
    if (it->second.use_count() == 1) {
      it = files_.erase(it);
      continue;
    }
    it->second->saved.clear();
    it->second->durable_size = size_of(it->first);
    ++it;
  }
}

// The first time since the last sync that a sector is touched, its content then is its durable
// content (an earlier write or truncate would have saved it already).
bool SectorJournal::save(File& file, std::int64_t first_sector, std::int64_t last_sector,
                         const Reader& read, bool written) {
  for (std::int64_t sector = first_sector; sector <= last_sector; ++sector) {
    if (const auto found = file.saved.find(sector); found != file.saved.end()) {
      found->second.written = found->second.written || written;
      continue;
    }
    const std::int64_t start = sector * kSectorSize;
    const auto length = static_cast<std::size_t>(
        std::clamp<std::int64_t>(file.durable_size - start, 0, kSectorSize));
    std::string content(length, '\0');
    if (length > 0 && !read(start, content)) return false;
    file.saved.emplace(sector, File::Saved{std::move(content), written});
  }
  return true;
}

}  // namespace kvfault
