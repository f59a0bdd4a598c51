// The change feed's report of changes it never saw: when another connection's purge trimmed the
// log past this Store's cursor, on_error names how many changes by OTHER connections were lost;
// this Store's own commits in the trimmed range are not among them.
//
// To make the count exact, the watching Store's background thread is held still while the
// changes are written and trimmed, so that its next poll meets them all at once: its purge (which
// a key with a TTL starts, as a watcher starts the poll) is made to fail (a raw connection
// holds the write lock; busy_timeout 0), and its on_error, which runs on that thread, waits until
// the test lets it go.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "raw_db.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

// Collects on_error messages; the first purge failure parks the reporting thread until released.
class ErrorLog {
 public:
  void on_error(const std::string& message) {
    std::unique_lock lock(mutex_);
    messages_.push_back(message);
    if (parked_ || message.find("background purge") == std::string::npos) return;
    parked_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return released_; });
  }
  void wait_until_parked() {
    std::unique_lock lock(mutex_);
    REQUIRE(changed_.wait_for(lock, 60s, [&] { return parked_; }));
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }
  // The first message containing `part`, or "" if none came yet.
  std::string find(const std::string& part) {
    std::lock_guard lock(mutex_);
    for (const auto& message : messages_) {
      if (message.find(part) != std::string::npos) return message;
    }
    return {};
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
  bool parked_ = false, released_ = false;
};

// Releases the parked thread however the test ends, so that the Store's destructor can join it.
class ReleaseOnExit {
 public:
  explicit ReleaseOnExit(ErrorLog& log) : log_(log) {}
  ~ReleaseOnExit() { log_.release(); }
  ReleaseOnExit(const ReleaseOnExit&) = delete;
  ReleaseOnExit& operator=(const ReleaseOnExit&) = delete;

 private:
  ErrorLog& log_;
};

void write(kvstore::Store& store, const std::string& who, int count) {
  for (int i = 0; i < count; ++i) store.set(who, "k" + std::to_string(i), std::to_string(i));
}

}  // namespace

TEST_CASE("the change feed reports only other connections' changes as missed", "[feed][limits]") {
  kvtest::Watchdog watchdog("missed changes report");
  TempDir dir;
  const auto path = dir.file("db.sqlite");
  auto other_options = kvtest::no_purge();
  other_options.external_poll_interval = 0ms;
  other_options.change_log_retention = 5;
  kvstore::Store other(path, other_options);

  ErrorLog errors;
  kvstore::Options options;
  options.purge_interval = 1ms;
  options.external_poll_interval = 1ms;
  options.busy_timeout = 0ms;
  options.on_error = [&](const std::string& message) { errors.on_error(message); };
  kvstore::Store self(path, options);
  const ReleaseOnExit release(errors);
  self.set_with_ttl("ttl", "k", "v", 1h);  // revision 1; starts the purge
  // Starts the poll, which outlives the watcher; with no one listening, self's writes do not
  // catch up with the other's commits, and the poll alone meets the trimmed ones.
  self.watch("*").unwatch();
  {
    kvtest::RawDb lock(path);
    lock.exec("BEGIN IMMEDIATE");
    errors.wait_until_parked();
    lock.exec("ROLLBACK");
  }

  write(other, "other", 10);  // revisions 2..11
  write(self, "self", 5);     // 12..16: this Store's own
  write(other, "other", 10);  // 17..26
  write(self, "self", 3);     // 27..29
  write(other, "other", 2);   // 30..31
  REQUIRE(self.revision() == 31);
  other.purge_expired();  // keeps 27..31: trims 20 of the other's changes and 5 own ones
  REQUIRE_THROWS_AS(other.changes_since(25), kvstore::Compacted);
  errors.release();

  REQUIRE(kvtest::eventually([&] { return !errors.find("change feed:").empty(); }));
  const auto report = errors.find("change feed:");
  INFO(report);
  CHECK(report.find(": 20 changes by other connections") != std::string::npos);
}
