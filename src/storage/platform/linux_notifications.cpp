// FileNotifications on Linux's inotify (storage/platform/platform.hpp): watches of the database
// file, its WAL and their directory (storage/wal_watch.hpp says why all three).
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <string_view>

#include "storage/platform/platform.hpp"

namespace kvstore::detail {

namespace {

// An owned descriptor (-1: none). close(2) is not retried: on Linux it releases the descriptor
// whatever it returns.
class Descriptor {
 public:
  explicit Descriptor(int fd) noexcept : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

// File systems whose inotify events do not cover every writer: network and cluster file systems
// report only what this machine wrote, FUSE what its daemon chooses to (statfs(2) magic numbers).
bool events_may_be_missing(const std::string& directory) {
  struct statfs info {};
  if (::statfs(directory.c_str(), &info) != 0) return true;
  constexpr std::array<unsigned long, 12> kRemote = {
      0x6969,      // NFS
      0x517B,      // SMB
      0xFF534D42,  // CIFS
      0xFE534D42,  // SMB2
      0x65735546,  // FUSE
      0x01021997,  // 9P
      0x00C36400,  // Ceph
      0x5346414F,  // AFS
      0x73757245,  // Coda
      0x01161970,  // GFS2
      0x7461636F,  // OCFS2
      0x0BD00BD0,  // Lustre
  };
  const auto type = static_cast<unsigned long>(info.f_type) & 0xFFFFFFFFul;
  return std::find(kRemote.begin(), kRemote.end(), type) != kRemote.end();
}

// A commit appends its frames to the WAL with write(2); a checkpoint writes the database file.
constexpr std::uint32_t kFileEvents = IN_MODIFY;
constexpr std::uint32_t kDirectoryEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                           IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// The directory itself went away or moved: the paths watched are stale.
constexpr std::uint32_t kDirectoryLost = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;

}  // namespace

class InotifyNotifications final : public FileNotifications {
 public:
  // The watches on `database` (an absolute path), or nullptr if they cannot be set up.
  static std::unique_ptr<InotifyNotifications> open(const std::filesystem::path& database) {
    const auto directory = database.parent_path().string();
    if (events_may_be_missing(directory)) return nullptr;
    auto watches = std::make_unique<InotifyNotifications>(database);
    if (!watches->inotify_.valid() || !watches->wake_.valid()) return nullptr;
    watches->directory_ =
        inotify_add_watch(watches->inotify_.get(), directory.c_str(), kDirectoryEvents);
    if (watches->directory_ < 0 || !watches->watch_files()) return nullptr;
    return watches;
  }

  explicit InotifyNotifications(const std::filesystem::path& database)
      : inotify_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
        wake_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        database_path_(database.string()),
        wal_path_(database_path_ + "-wal"),
        database_name_(database.filename().string()),
        wal_name_(database_name_ + "-wal") {}

  Outcome wait(std::chrono::steady_clock::time_point deadline,
               const std::stop_token& stop) override {
    // Runs on the thread that requests stop, while wait() may be polling: the write wakes it.
    const std::stop_callback wake_on_stop(stop, [this]() noexcept {
      const std::uint64_t one = 1;
      [[maybe_unused]] const auto ignored = ::write(wake_.get(), &one, sizeof one);
    });
    std::array<pollfd, 2> polled = {pollfd{inotify_.get(), POLLIN, 0},
                                    pollfd{wake_.get(), POLLIN, 0}};
    for (;;) {
      if (stop.stop_requested()) return Outcome::stopped;
      // Rounded up, so that the poll does not end just before the deadline and spin. Past the
      // deadline the poll still looks once (timeout 0): queued events are reported.
      const auto now = std::chrono::steady_clock::now();
      const auto left =
          deadline > now ? std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count() : 0;
      const int rc = ::poll(polled.data(), polled.size(),
                            static_cast<int>(std::min<decltype(left)>(left, INT_MAX)));
      if (rc < 0 && errno != EINTR) return Outcome::lost;
      if (rc == 0 && left == 0) return Outcome::deadline;
      if (rc <= 0) continue;
      if (polled[1].revents != 0) drain_wake();
      if (polled[0].revents != 0) {
        const Outcome read = read_events();
        if (read != Outcome::deadline) return read;
      }
    }
  }

 private:
  // (Re)watches the database file and its WAL, which may not exist (the directory's events tell
  // when they appear). False if a watch is refused for another reason (the watch limit).
  bool watch_files() { return watch(database_path_, database_) && watch(wal_path_, wal_); }
  bool watch(const std::string& path, int& descriptor) {
    descriptor = inotify_add_watch(inotify_.get(), path.c_str(), kFileEvents);
    return descriptor >= 0 || errno == ENOENT;
  }

  void drain_wake() noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto ignored = ::read(wake_.get(), &count, sizeof count);
  }

  // Reads every queued event. changed if one concerns the files, lost if the watch can no longer
  // see them, deadline (nothing to report) if all were about other files of the directory.
  Outcome read_events() {
    alignas(inotify_event) std::array<char, 4096> buffer;
    bool changed = false;
    for (;;) {
      const ssize_t n = ::read(inotify_.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return Outcome::lost;
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        switch (classify(*event)) {
          case Outcome::lost:
            return Outcome::lost;
          case Outcome::changed:
            changed = true;
            break;
          default:
            break;
        }
      }
    }
    return changed ? Outcome::changed : Outcome::deadline;
  }

  Outcome classify(const inotify_event& event) {
    if ((event.mask & IN_Q_OVERFLOW) != 0) {
      // Events were dropped: a file may have been recreated unseen.
      return watch_files() ? Outcome::changed : Outcome::lost;
    }
    if (event.wd == directory_) {
      if ((event.mask & kDirectoryLost) != 0) return Outcome::lost;
      const std::string_view name = event.len > 0 ? event.name : "";
      if (name == wal_name_) return watch(wal_path_, wal_) ? Outcome::changed : Outcome::lost;
      if (name == database_name_) {
        return watch(database_path_, database_) ? Outcome::changed : Outcome::lost;
      }
      return Outcome::deadline;  // another file of the directory
    }
    // The WAL or the database: written, or gone (IN_IGNORED; the directory tells of a new one).
    if (event.wd == wal_ || event.wd == database_) return Outcome::changed;
    return Outcome::deadline;  // a watch replaced since (its IN_IGNORED)
  }

  Descriptor inotify_;
  Descriptor wake_;  // an eventfd written when stop is requested
  const std::string database_path_, wal_path_, database_name_, wal_name_;
  int directory_ = -1, database_ = -1, wal_ = -1;  // watch descriptors (-1: none)
};

std::unique_ptr<FileNotifications> watch_database_files(const std::filesystem::path& database) {
  return InotifyNotifications::open(database);
}

}  // namespace kvstore::detail
