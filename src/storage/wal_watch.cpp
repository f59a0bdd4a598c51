// WalWatch over the operating system's notifications (storage/platform/platform.hpp).
#include "storage/wal_watch.hpp"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "util/utf8_path.hpp"

namespace kvstore::detail {

namespace {

constexpr std::chrono::milliseconds kLookGap{1};

// Absolute, so that a later change of the working directory does not move what is watched.
std::filesystem::path absolute_path(const std::string& path) {
  std::error_code error;
  auto absolute = std::filesystem::absolute(path_of_utf8(path), error);
  return error ? path_of_utf8(path) : absolute.lexically_normal();
}

}  // namespace

WalWatch::WalWatch(const std::string& database_path, Mode mode,
                   std::vector<std::chrono::milliseconds> repeats)
    : notifications_(mode == Mode::notify && !database_path.empty()
                         ? watch_database_files(absolute_path(database_path))
                         : nullptr),
      available_(notifications_ != nullptr),
      look_first_(notifications_ != nullptr),
      repeats_(std::move(repeats)),
      repeated_(repeats_.size()) {}

WalWatch::~WalWatch() = default;

bool WalWatch::wait(TimePoint deadline, std::stop_token stop) {
  if (stop.stop_requested()) return false;
  if (std::exchange(look_first_, false)) return true;
  if (!notifications_) {
    sleep_until(deadline, stop);
    return false;
  }
  const bool repeating = repeated_ < repeats_.size();
  const auto repeat_at = repeating ? last_event_ + repeats_[repeated_] : TimePoint::max();
  switch (notifications_->wait(std::min(deadline, repeat_at), stop)) {
    case FileNotifications::Outcome::changed: {
      // At most one look per kLookGap: a writer in this process raises events with each of its
      // commits, and a look per commit would contend with it for the connection.
      if (!sleep_until(last_signal_ + kLookGap, stop)) return false;
      last_event_ = last_signal_ = std::chrono::steady_clock::now();
      repeated_ = 0;
      return true;
    }
    case FileNotifications::Outcome::lost:
      // From now on the caller polls; this "look now" covers what the lost watch may have missed.
      notifications_.reset();
      available_ = false;
      return true;
    case FileNotifications::Outcome::stopped:
      return false;
    case FileNotifications::Outcome::deadline:
      break;
  }
  if (!repeating || std::chrono::steady_clock::now() < repeat_at) return false;
  ++repeated_;
  last_signal_ = std::chrono::steady_clock::now();
  return true;
}

bool WalWatch::sleep_until(TimePoint until, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  never_notified_.wait_until(lock, stop, until, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace kvstore::detail
