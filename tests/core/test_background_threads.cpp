// A Store starts its background thread only when it has work (issue 20): the purge once it holds
// a key with a TTL (or its change log may outgrow change_log_retention), the change-feed poll once
// someone listens on a file; the thread ends when the Store closes. Threads are counted in
// /proc/self/task (thread_census.hpp); no sleeps, no timing.
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>

#include "backends.hpp"
#include "event_support.hpp"
#include "quiet_options.hpp"
#include "support.hpp"
#include "thread_census.hpp"
#include "util/background_thread.hpp"

using namespace std::chrono_literals;
using kvtest::ThreadCensus;

namespace {

// The file of one test case's stores.
struct StoreFile {
  kvtest::TempDir dir;
  const std::string path = dir.file("store.db");
};

}  // namespace

TEST_CASE("a :memory: store starts its thread with its first key with a TTL, and stops it on close",
          "[store][threads][posix][proc]") {
  ThreadCensus census;
  {
    kvstore::Store store(":memory:");
    store.set("g", "k", "v");
    CHECK(store.get("g", "k") == "v");
    auto watcher = store.watch("*");  // no other connection to follow: no poll
    auto subscription = store.on_change([](const kvstore::Event&) {});
    store.erase("g", "k");
    CHECK(census.started() == 0);

    store.set_with_ttl("g", "session", "v", 1h);
    CHECK(census.started() == 1);
    store.set_with_ttl("g", "other", "v", 1h);
    CHECK(census.started() == 1);
  }
  CHECK(census.all_ended());
}

TEST_CASE("a thousand :memory: stores with default options and no key with a TTL start no thread",
          "[store][threads]") {
  ThreadCensus census;
  std::deque<kvstore::Store> stores;
  for (int i = 0; i < 1000; ++i) {
    auto& store = stores.emplace_back(":memory:");
    store.set("config", "theme", "dark");
    store.set_json("config", "size", 12);
  }
  CHECK(census.started() == 0);
}

TEST_CASE("every write of a key with a TTL starts the purge", "[store][threads][posix][proc]") {
  ThreadCensus census;
  {
    kvstore::Store store(":memory:");
    SECTION("set_with_ttl in a transaction") {
      store.transaction([](kvstore::Transaction& txn) { txn.set_with_ttl("g", "k", "v", 1h); });
    }
    SECTION("a ScopedStore's set_with_ttl") {
      kvstore::ScopedStore scoped(store, "app");
      scoped.set_with_ttl("g", "k", "v", 1h);
    }
    SECTION("a streamed value with expires_at") {
      kvstore::Metadata meta;
      meta.expires_at = kvstore::Clock::now() + 1h;
      auto writer = store.begin_set("g", "k", meta);
      writer.write("value");
      writer.commit();
    }
    CHECK(census.started() == 1);
  }
  CHECK(census.all_ended());
}

TEST_CASE("a store that never purges starts no thread for keys with a TTL", "[store][threads]") {
  const StoreFile file;
  const auto& path = file.path;
  ThreadCensus census;
  {
    kvstore::Store store(path, kvtest::no_purge());
    store.set_with_ttl("g", "k", "v", 1h);
    CHECK(census.started() == 0);
  }
  kvstore::Options read_only;
  read_only.read_only = true;
  kvstore::Store reader(path, read_only);
  CHECK(reader.get("g", "k") == "v");
  CHECK(census.started() == 0);
}

TEST_CASE("a change log that passes change_log_retention starts the purge, which trims it",
          "[store][threads][posix][proc]") {
  ThreadCensus census;
  {
    kvstore::Options options;
    options.change_log_retention = 3;
    kvstore::Store store(":memory:", options);
    for (int i = 0; i < 3; ++i) store.set("g", "k", std::to_string(i));
    CHECK(census.started() == 0);
    store.set("g", "k", "3");  // revision 4: the log may hold more than 3 entries
    CHECK(census.started() == 1);
  }
  CHECK(census.all_ended());
}

TEST_CASE("a file that holds keys with a TTL starts the purge at open",
          "[store][threads][posix][proc]") {
  const StoreFile file;
  const auto& path = file.path;
  {
    kvstore::Store writer(path, kvtest::quiet());
    writer.set("g", "plain", "v");
  }
  ThreadCensus census;
  {
    kvstore::Store plain(path);
    CHECK(census.started() == 0);
  }
  CHECK(census.all_ended());
  {
    kvstore::Store writer(path, kvtest::quiet());
    SECTION("a live one") { writer.set_with_ttl("g", "session", "v", 1h); }
    SECTION("an expired one, not yet purged") {
      writer.set_with_ttl("g", "session", "v", 1ms);
      kvtest::wait_past(1ms);
    }
  }
  {
    kvstore::Store store(path);
    CHECK(census.started() == 1);
  }
  CHECK(census.all_ended());
}

TEST_CASE("a store on a file starts the change-feed poll with its first listener",
          "[store][threads][feed][posix][proc]") {
  const StoreFile file;
  const auto& path = file.path;
  kvstore::Store other(path, kvtest::quiet());
  ThreadCensus census;
  {
    auto options = kvtest::feed_options();
    options.purge_interval = 1h;  // only with a key with a TTL
    kvstore::Store store(path, options);
    store.set("g", "k", "v");
    CHECK(census.started() == 0);

    kvstore::Watcher watcher;
    kvstore::Subscription subscription;
    SECTION("watch") { watcher = store.watch("g"); }
    SECTION("watch from a revision") { watcher = store.watch("g", "*", store.revision()); }
    SECTION("on_change") {
      subscription = store.on_change([](const kvstore::Event&) {});
      watcher = store.watch("g");
    }
    SECTION("watch, with the purge running: they share the thread") {
      store.set_with_ttl("g", "session", "v", 1h);
      CHECK(census.started() == 1);
      watcher = store.watch("g");
    }
    CHECK(census.started() == 1);
    auto second = store.watch("*");
    CHECK(census.started() == 1);

    other.set("g", "theirs", "v");
    const auto event = kvtest::next_event(watcher);
    CHECK(event.key == "theirs");
    CHECK(event.external);
  }
  CHECK(census.all_ended());
}

TEST_CASE("a change feed started by a listener delivers the commits made after it",
          "[feed][threads]") {
  const StoreFile file;
  kvstore::Store other(file.path, kvtest::quiet());
  kvstore::Store mine(file.path, kvtest::feed_options());
  other.set("g", "before", "v");  // before anyone listened: no event

  kvstore::Watcher watcher;
  SECTION("a watcher") { watcher = mine.watch("g"); }
  SECTION("a watcher made in a transaction that rolls back") {
    // The feed starts below the transaction's own revision, which the other store takes next.
    CHECK_THROWS_AS(mine.transaction([&](kvstore::Transaction& txn) {
      txn.set("g", "mine", "rolled back");
      watcher = mine.watch("g");
      throw std::runtime_error("roll back");
    }),
                    std::runtime_error);
  }
  other.set("g", "after", "v");
  const auto event = kvtest::next_event(watcher);
  CHECK(event.key == "after");
  CHECK(event.external);
}

namespace {

// While alive, every thread a BackgroundThread would start is refused as the operating system
// refuses one (EAGAIN: out of threads or memory for a stack).
class RefusedThreadStarts {
 public:
  RefusedThreadStarts()
      : previous_(kvstore::detail::replace_thread_start_check([] {
          throw std::system_error(EAGAIN, std::generic_category(), "refused by the test");
        })) {}
  ~RefusedThreadStarts() { kvstore::detail::replace_thread_start_check(previous_); }
  RefusedThreadStarts(const RefusedThreadStarts&) = delete;
  RefusedThreadStarts& operator=(const RefusedThreadStarts&) = delete;

 private:
  kvstore::detail::ThreadStartCheck previous_;
};

}  // namespace

TEST_CASE("a write whose purge thread cannot start fails typed and leaves nothing behind",
          "[store][threads][failure][posix][proc]") {
  const auto backend = kvtest::each_backend();
  ThreadCensus census;
  kvstore::Options no_feed;  // the purge as by default; no change-feed thread
  no_feed.external_poll_interval = 0ms;
  kvstore::Store store(backend.path(), no_feed);
  store.set("g", "kept", "v");
  auto watcher = store.watch("*");
  {
    const RefusedThreadStarts refused;
    try {
      store.set_with_ttl("g", "session", "v", 1h);
      FAIL("a write with a TTL succeeded without its purge thread");
    } catch (const kvstore::StorageError& e) {
      CHECK_THAT(e.what(), Catch::Contains("background purge"));
    }
    CHECK_FALSE(store.get("g", "session"));
    CHECK(store.get("g", "kept") == "v");
    CHECK(kvtest::drain(watcher).empty());
    CHECK(census.started() == 0);
    store.set("g", "plain", "w");  // a write without a TTL needs no thread
  }
  store.set_with_ttl("g", "session", "v", 1h);
  CHECK(store.get("g", "session") == "v");
  CHECK(census.started() == 1);
  CHECK(kvtest::drain(watcher).size() == 2);  // "plain", then "session"
}

TEST_CASE("a watch whose change-feed thread cannot start fails typed; a later one starts it",
          "[store][threads][failure][posix][proc]") {
  const StoreFile file;
  ThreadCensus census;
  kvstore::Store store(file.path, kvtest::feed_options());
  {
    const RefusedThreadStarts refused;
    CHECK_THROWS_AS(store.watch("*"), kvstore::StorageError);
    CHECK_THROWS_AS(store.on_change([](const kvstore::Event&) {}), kvstore::StorageError);
    CHECK(census.started() == 0);
  }
  auto watcher = store.watch("*");
  CHECK(census.started() == 1);
  kvstore::Store(file.path, kvtest::quiet()).set("g", "k", "from another store");
  CHECK(kvtest::next_event(watcher).key == "k");
}

TEST_CASE("opening a file that holds keys with a TTL fails typed when the purge cannot start",
          "[store][threads][failure]") {
  const StoreFile file;
  kvstore::Store(file.path).set_with_ttl("g", "session", "v", 1h);
  ThreadCensus census;
  {
    const RefusedThreadStarts refused;
    CHECK_THROWS_AS(kvstore::Store(file.path), kvstore::StorageError);
  }
  CHECK(census.all_ended());
  kvstore::Store store(file.path);
  CHECK(store.get("g", "session") == "v");
}
