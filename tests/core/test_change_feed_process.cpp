// Change feed across processes: a second process (kvstore_feed_writer, see feed_writer.cpp)
// writes to the file; this process's Store must deliver every change, marked external, in
// revision order, never twice, with no gap at a replay seam, and only committed changes of a
// writer that was SIGKILLed mid-loop.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/feed_support.hpp"
#include "event_support.hpp"
#include "support.hpp"

#ifndef KVSTORE_FEED_WRITER
#error "KVSTORE_FEED_WRITER must name the kvstore_feed_writer helper (tests/CMakeLists.txt)"
#endif

extern char** environ;

using namespace kvtest;  // with event_support.hpp: Event, EventType, chrono literals

namespace {

// The helper process: spawned with its stdout piped to a thread that collects it.
class Helper {
 public:
  explicit Helper(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<std::string> storage{KVSTORE_FEED_WRITER};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, KVSTORE_FEED_WRITER, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      throw std::runtime_error("posix_spawn " KVSTORE_FEED_WRITER " failed");
    }
    reader_ = std::thread([this, fd = fds[0]] {
      char buffer[4096];
      for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        output_.append(buffer, static_cast<std::size_t>(n));
      }
      close(fd);
    });
  }
  ~Helper() {
    if (!waited_) {
      kill(SIGKILL);
      (void)wait();
    }
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  void kill(int signal) { ::kill(pid_, signal); }
  // Waits for the process to end; returns its wait status.
  int wait() {
    if (!waited_) {
      while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reader_.join();
      waited_ = true;
    }
    return status_;
  }
  // What it printed (valid after wait()).
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  std::thread reader_;
  std::string output_;
  int status_ = 0;
  bool waited_ = false;
};

EventType type_named(const std::string& name) {
  for (auto type : {EventType::set, EventType::erase, EventType::delete_group, EventType::expire}) {
    if (kvstore::to_string(type) == name) return type;
  }
  throw std::runtime_error("unknown event type " + name);
}

// Runs the helper to completion; returns the changes it reported making, in order.
std::vector<Change> run_helper(const std::vector<std::string>& args) {
  Helper helper(args);
  const int status = helper.wait();
  INFO("helper output:\n" << helper.output());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::vector<Change> changes;
  std::istringstream lines(helper.output());
  std::uint64_t revision;
  std::string type, group, key;
  while (lines >> revision >> type >> group >> key) {
    changes.emplace_back(revision, type_named(type), group, key == "-" ? "" : key);
  }
  return changes;
}

// The helper's arguments: the database path, then `commands` split on spaces.
std::vector<std::string> args(const std::string& path, const std::string& commands) {
  std::vector<std::string> result{path};
  std::istringstream words(commands);
  for (std::string word; words >> word;) result.push_back(word);
  return result;
}

// Must match batch_value() in feed_writer.cpp.
std::string batch_value(long long i) {
  return "v" + std::to_string(i) + ":" + std::string(4096, static_cast<char>('a' + i % 26));
}

}  // namespace

TEST_CASE("changes of every kind made by another process are delivered in revision order",
          "[feed][process]") {
  FeedReceiver receiver("every kind of change from another process");
  const auto written = run_helper(args(receiver.path,
                                       "set feed k1 v1  set feed k2 v2  erase feed k2 "
                                       "expire_purge feed t1 x  expire_get feed t2 y "
                                       "set grp a 1  set grp b 2  delete_group grp "
                                       "set pre:1 a 1  set pre:2 a 1  delete_prefix pre: "
                                       "transaction tx"));
  const std::vector<std::tuple<EventType, std::string, std::string>> kinds = {
      {EventType::set, "feed", "k1"},
      {EventType::set, "feed", "k2"},
      {EventType::erase, "feed", "k2"},
      {EventType::set, "feed", "t1"},
      {EventType::expire, "feed", "t1"},
      {EventType::set, "feed", "t2"},
      {EventType::expire, "feed", "t2"},
      {EventType::set, "grp", "a"},
      {EventType::set, "grp", "b"},
      {EventType::delete_group, "grp", ""},
      {EventType::set, "pre:1", "a"},
      {EventType::set, "pre:2", "a"},
      {EventType::delete_group, "pre:1", ""},
      {EventType::delete_group, "pre:2", ""},
      {EventType::set, "tx", "a"},
      {EventType::set, "tx", "b"},
      {EventType::erase, "tx", "a"},
  };
  REQUIRE(written.size() == kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const auto& [revision, type, group, key] = written[i];
    CHECK(revision == i + 1);
    CHECK(std::make_tuple(type, group, key) == kinds[i]);
  }
  receiver.check(written);
}

TEST_CASE("own changes are delivered once, and another process's after them", "[feed][process]") {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store store(path, feed_options());
  auto watcher = store.watch("*", "*", std::nullopt, 100);

  store.set("own", "a", "1");
  store.erase("own", "a");
  store.set("own", "b", "2");
  const auto marker = run_helper({path, "set", "marker", "m", "x"});
  REQUIRE(marker.size() == 1);
  CHECK(std::get<0>(marker[0]) == 4);

  std::vector<Event> events;
  do {
    const auto event = watcher.next(kWait);
    REQUIRE(event.has_value());
    events.push_back(*event);
  } while (events.back().group != "marker");
  REQUIRE(events.size() == 4);  // a duplicate of an own change would come before the marker
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(describe(events[i]));
    CHECK(events[i].revision == i + 1);
    CHECK_FALSE(events[i].external);
  }
  CHECK(events[3].external);
  CHECK(events[3].revision == 4);
  CHECK_FALSE(watcher.try_next().has_value());
  CHECK(store.revision() == 4);
}

TEST_CASE("replay then live has no gap across another process's concurrent writes",
          "[feed][process]") {
  Watchdog dog("replay seam with another process writing");
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  kvstore::Store store(path, feed_options(5ms));
  auto listener = store.watch("unrelated");
  constexpr std::uint64_t kWrites = 3000;

  Helper helper({path, "sets", std::to_string(kWrites), "g"});
  std::vector<std::pair<std::uint64_t, kvstore::Watcher>> watchers;
  for (const std::uint64_t at : {600u, 1800u}) {
    std::uint64_t now = 0;
    const bool reached = kvtest::eventually([&] { return (now = store.revision()) >= at; }, 30s);
    if (!reached) break;  // the helper failed: reported below
    watchers.emplace_back(now - 300, store.watch("*", "*", now - 300, kWrites + 10));
  }
  const int status = helper.wait();
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(watchers.size() == 2);
  REQUIRE(store.revision() == kWrites);

  for (auto& [from, watcher] : watchers) {
    INFO("watcher from revision " << from);
    for (std::uint64_t expected = from + 1; expected <= kWrites; ++expected) {
      const auto event = watcher.next(kWait);
      REQUIRE(event.has_value());
      if (event->revision != expected) {
        FAIL("expected revision " << expected << ", got " << describe(*event));
      }
    }
    CHECK_FALSE(watcher.try_next().has_value());
    CHECK(watcher.dropped() == 0);
  }
}

TEST_CASE("a reader sees only the committed writes of a writer killed mid-loop",
          "[feed][process]") {
  Watchdog dog("SIGKILLed writer", 90s);
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  const std::string group = "batch";
  kvstore::Store reader(path, feed_options(5ms));

  std::mutex mutex;
  std::vector<Event> delivered;
  std::atomic<std::size_t> delivered_count{0};
  std::atomic<int> bad_values{0};
  auto subscription = reader.on_change([&](const Event& e) {
    // Keys are "<batch>-<n>", each batch written once, in one transaction.
    const long long batch = std::stoll(e.key.substr(0, e.key.find('-')));
    if (e.type != EventType::set || e.value != batch_value(batch)) ++bad_values;
    std::lock_guard lock(mutex);
    delivered.push_back(e);
    ++delivered_count;
  });

  Helper helper({path, "loop", group});
  REQUIRE(kvtest::eventually([&] { return delivered_count.load() >= 400; }, 30s));
  helper.kill(SIGKILL);
  const int status = helper.wait();
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  // What survived, as a fresh connection sees it.
  kvstore::Store after(path, feed_options(0ms));
  const auto committed = after.revision();
  const auto log = after.changes_since(0);
  REQUIRE(!log.empty());
  REQUIRE(log.back().revision == committed);
  std::map<std::uint64_t, Event> logged;
  for (const Event& e : log) logged.emplace(e.revision, e);
  CHECK(logged.size() == committed);  // revisions 1..committed, none trimmed

  // Every committed transaction is complete, every value whole.
  const auto rows = after.get_all(group);
  std::map<long long, int> keys_per_batch;
  for (const auto& [key, value] : rows) {
    const long long batch = std::stoll(key.substr(0, key.find('-')));
    ++keys_per_batch[batch];
    CHECK(value == batch_value(batch));
  }
  REQUIRE(!keys_per_batch.empty());
  CHECK(keys_per_batch.begin()->first == 0);
  CHECK(keys_per_batch.rbegin()->first + 1 == static_cast<long long>(keys_per_batch.size()));
  for (const auto& [batch, count] : keys_per_batch) {
    INFO("batch " << batch);
    CHECK(count == 4);
  }
  CHECK(rows.size() == committed);  // one logged set per key

  // The live reader delivers every committed change, and nothing else.
  REQUIRE(kvtest::eventually([&] { return delivered_count.load() >= committed; }, 10s));
  CHECK(bad_values.load() == 0);
  std::lock_guard lock(mutex);
  CHECK(delivered.size() == committed);
  for (std::size_t i = 0; i < delivered.size(); ++i) {
    const Event& e = delivered[i];
    INFO(describe(e));
    CHECK(e.external);
    CHECK(e.revision == i + 1);
    const auto it = logged.find(e.revision);
    REQUIRE(it != logged.end());
    CHECK(change_of(it->second) == change_of(e));
  }
  CHECK(reader.revision() == committed);
  CHECK(reader.get_all(group) == rows);
}
