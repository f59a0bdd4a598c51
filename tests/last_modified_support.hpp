// Helpers for the LastModifiedStore tests (test_last_modified_*.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <thread>

#include "support.hpp"

namespace lmtest {

using namespace std::chrono_literals;

// A file-backed Store with no background thread at all (no purge, no change-feed polling)
// unless `poll` is given, so that the tests can count the layer's threads.
inline kvstore::Options quiet_options(std::chrono::milliseconds poll = 0ms) {
  kvstore::Options options;
  options.purge_interval = 0ms;
  options.external_poll_interval = poll;
  return options;
}

inline kvstore::LastModifiedConfig config_with(
    long long max_size = 0, int workers = 0, std::chrono::milliseconds interval = 0ms,
    kvstore::FullPolicy on_full = kvstore::FullPolicy::reject) {
  return {max_size, workers, interval, on_full};
}

// A temporary directory, a Store on a file in it, and a layer in front of it (not started).
struct Fixture {
  explicit Fixture(kvstore::LastModifiedConfig config = {},
                   kvstore::Options options = quiet_options())
      : store(dir.file("db.sqlite"), std::move(options)), layer(store, config) {}
  std::string path() const { return dir.file("db.sqlite"); }

  kvtest::TempDir dir;
  kvstore::Store store;
  kvstore::LastModifiedStore layer;
};

// A Fixture whose layer is running.
struct Running : Fixture {
  explicit Running(kvstore::LastModifiedConfig config = {},
                   kvstore::Options options = quiet_options())
      : Fixture(config, std::move(options)) {
    layer.start();
  }
};

// Threads of this process right now.
inline std::size_t thread_count() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return static_cast<std::size_t>(std::distance(tasks, std::filesystem::directory_iterator()));
}

// A one-shot gate: wait() blocks until open() was called.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

using kvtest::Watchdog;

}  // namespace lmtest
