// Shared test helpers: temporary directories, polling with a deadline (never bare sleeps), a
// deadlock watchdog, and store options and waits used across suites.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <random>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace kvtest {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  // A random name, made with create_directory (which fails on an existing one): mkdtemp is POSIX.
  TempDir() {
    std::random_device random;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto candidate =
          std::filesystem::temp_directory_path() / ("kvstore-test-" + std::to_string(random()));
      if (std::filesystem::create_directory(candidate)) {
        path_ = std::move(candidate);
        return;
      }
    }
    throw std::runtime_error("no fresh temporary directory after 100 names");
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The whole content of the file at `path`. Throws if it cannot be read.
inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.starts_with(prefix);
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Aborts the process (failing the test run) if not destroyed within `limit`: turns a deadlock or
// a writer blocked on a full queue into a failure instead of a hang.
class Watchdog {
 public:
  explicit Watchdog(std::string what, std::chrono::seconds limit = std::chrono::seconds(60))
      : thread_([this, what = std::move(what), limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [&] { return done_; })) {
            std::fprintf(stderr, "watchdog: '%s' did not finish within %llds (deadlock?)\n",
                         what.c_str(), static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

// Options without the background purge thread, so tests decide when expired rows go.
inline kvstore::Options no_purge() {
  kvstore::Options options;
  options.purge_interval = std::chrono::milliseconds(0);
  return options;
}

// Returns once every key given `ttl` before this call has expired.
inline void wait_until_expired(std::chrono::milliseconds ttl) {
  kvstore::Store clock(":memory:", no_purge());
  clock.set_with_ttl("sentinel", "sentinel", "x", ttl);
  REQUIRE(eventually([&] { return !clock.get("sentinel", "sentinel").has_value(); }));
}

// The highest NNNN of migrations/NNNN_name.sql: the schema version the library should reach.
inline int latest_migration() {
  const auto dir = std::filesystem::path(KVSTORE_TEST_FIXTURES) / ".." / ".." / "migrations";
  int latest = 0;
  const std::regex name(R"((\d{4})_.+\.sql)");
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::smatch match;
    const auto filename = entry.path().filename().string();
    if (std::regex_match(filename, match, name)) latest = std::max(latest, std::stoi(match[1]));
  }
  return latest;
}

// The SQL of migrations/NNNN_*.sql for `version`, as the library embeds it: for building files
// of an earlier schema the way an earlier kvstore left them.
inline std::string migration_sql(int version) {
  const auto dir = std::filesystem::path(KVSTORE_TEST_FIXTURES) / ".." / ".." / "migrations";
  char prefix[8];
  std::snprintf(prefix, sizeof prefix, "%04d_", version);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with(prefix))
      return read_bytes(entry.path().string());
  }
  throw std::runtime_error("no migration " + std::to_string(version));
}

}  // namespace kvtest
