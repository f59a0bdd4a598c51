// LastModifiedStore coherence: writes that bypass the layer — made directly on the Store, through
// a ScopedStore or a transaction, by another Store object on the same file, or by another
// process — update or invalidate the memory entry; get never returns a value older than the
// Store's once the change has been published.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <string>
#include <thread>
#include <vector>

#include "last_modified_support.hpp"

using namespace std::chrono_literals;
using lmtest::config_with;
using lmtest::Running;

namespace {

// The layer's value of group/key, or "<none>".
std::string value_of(kvstore::LastModifiedStore& layer, std::string_view group,
                     std::string_view key) {
  const auto item = layer.get(group, key);
  return item ? item->value : "<none>";
}

// A child process, forked before the test starts any thread, that waits for go() and then runs
// `body` with its own Store on `path` and exits (status 0 on success, 1 if body threw).
class ChildWriter {
 public:
  template <class Body>
  ChildWriter(const std::string& path, Body body) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      close(fds[1]);
      alarm(30);  // never outlive a stuck parent
      char go = 0;
      int status = read(fds[0], &go, 1) == 1 ? 0 : 1;
      if (status == 0) {
        try {
          kvstore::Store store(path, lmtest::quiet_options());
          body(store);
        } catch (...) {
          status = 1;
        }
      }
      _exit(status);
    }
    close(fds[0]);
    go_fd_ = fds[1];
  }
  ~ChildWriter() {
    if (go_fd_ >= 0) close(go_fd_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  ChildWriter(const ChildWriter&) = delete;
  ChildWriter& operator=(const ChildWriter&) = delete;

  // Lets the child write, waits for it to exit; returns its exit status.
  int go_and_wait() {
    const char go = 'g';
    REQUIRE(write(go_fd_, &go, 1) == 1);
    close(std::exchange(go_fd_, -1));
    int status = 0;
    REQUIRE(waitpid(std::exchange(pid_, -1), &status, 0) > 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;
};

}  // namespace

TEST_CASE("LastModifiedStore coherence: direct Store writes update memory", "[lastmod]") {
  Running f;
  f.layer.set("g", "k", "v1");
  f.store.set("g", "k", "v2");
  // The change was published before store.set returned: memory already has it.
  const auto hits = f.layer.stats().hits;
  const auto item = f.layer.get("g", "k");
  CHECK(item->value == "v2");
  CHECK(item->last_modified == f.store.stat("g", "k")->last_modified);
  CHECK(f.layer.stats().hits == hits + 1);  // updated in memory, not dropped

  f.store.set_with_ttl("g", "k", "v3", 1h);  // the TTL comes along
  CHECK(f.layer.get("g", "k")->expires_at == f.store.stat("g", "k")->expires_at);
  CHECK(f.layer.size() == 1);
}

TEST_CASE("LastModifiedStore coherence: direct removals invalidate memory", "[lastmod]") {
  Running f;
  for (const char* group : {"a", "b", "pre:x", "pre:y"}) {
    f.layer.set(group, "k1", "v");
    f.layer.set(group, "k2", "v");
  }
  SECTION("erase") {
    f.store.erase("a", "k1");
    CHECK(value_of(f.layer, "a", "k1") == "<none>");
    CHECK(value_of(f.layer, "a", "k2") == "v");
  }
  SECTION("delete_group") {
    f.store.delete_group("a");
    CHECK(value_of(f.layer, "a", "k1") == "<none>");
    CHECK(value_of(f.layer, "a", "k2") == "<none>");
    CHECK(value_of(f.layer, "b", "k1") == "v");
  }
  SECTION("delete_prefix") {
    f.store.delete_prefix("pre:");
    CHECK(value_of(f.layer, "pre:x", "k1") == "<none>");
    CHECK(value_of(f.layer, "pre:y", "k2") == "<none>");
    CHECK(f.layer.size() == 4);
  }
  SECTION("expiry purged by the Store") {
    f.store.set_with_ttl("b", "k1", "short", 1ms);
    // The purge deletes the row, unless the layer, refreshing b/k1 after the set, read it once it
    // had expired and so deleted it first: either way the Store publishes an expire.
    REQUIRE(kvtest::eventually([&] {
      f.store.purge_expired();
      return f.layer.list().size() == 7;
    }));
    CHECK(value_of(f.layer, "b", "k1") == "<none>");
  }
}

TEST_CASE("LastModifiedStore coherence: ScopedStore and transaction writes", "[lastmod]") {
  Running f;
  kvstore::ScopedStore tenant(f.store, "tenant");
  f.layer.set("tenant:g", "k", "v1");
  tenant.set("g", "k", "v2");
  CHECK(value_of(f.layer, "tenant:g", "k") == "v2");
  tenant.erase("g", "k");
  CHECK(value_of(f.layer, "tenant:g", "k") == "<none>");

  f.layer.set("g", "a", "1");
  f.layer.set("g", "b", "1");
  f.store.transaction([](kvstore::Transaction& tx) {
    tx.set("g", "a", "2");
    tx.erase("g", "b");
  });
  CHECK(value_of(f.layer, "g", "a") == "2");
  CHECK(value_of(f.layer, "g", "b") == "<none>");

  // A rolled-back transaction changes nothing, in the Store or in memory.
  CHECK_THROWS(f.store.transaction([](kvstore::Transaction& tx) {
    tx.set("g", "a", "3");
    throw std::runtime_error("abort");
  }));
  CHECK(value_of(f.layer, "g", "a") == "2");
}

TEST_CASE("LastModifiedStore coherence: the layer's set inside a Store transaction", "[lastmod]") {
  Running f;
  f.layer.set("g", "k", "v1");
  // The write's event is deferred to the commit: memory must not keep the uncommitted value.
  CHECK_THROWS(f.store.transaction([&](kvstore::Transaction&) {
    f.layer.set("g", "k", "uncommitted");
    throw std::runtime_error("roll back");
  }));
  CHECK(value_of(f.layer, "g", "k") == "v1");
  f.store.transaction([&](kvstore::Transaction&) { f.layer.set("g", "k", "v2"); });
  CHECK(value_of(f.layer, "g", "k") == "v2");
}

TEST_CASE(
    "LastModifiedStore coherence: a get racing with direct writes never keeps an old "
    "value",
    "[lastmod]") {
  constexpr int kWrites = 300;
  Running f;
  f.store.set("g", "k", "0");
  std::atomic<bool> done{false};
  std::atomic<int> beyond{0};
  std::thread reader([&] {
    while (!done) {
      const auto item = f.layer.get("g", "k");
      if (item && std::stoi(item->value) > kWrites) ++beyond;
    }
  });
  for (int i = 1; i <= kWrites; ++i) f.store.set("g", "k", std::to_string(i));
  done = true;
  reader.join();
  CHECK(beyond == 0);
  CHECK(value_of(f.layer, "g", "k") == std::to_string(kWrites));
}

TEST_CASE("LastModifiedStore coherence: another Store object on the same file", "[lastmod]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("db.sqlite");
  SECTION("through the change feed") {
    kvstore::Store store(path, lmtest::quiet_options(5ms));
    kvstore::Store other(path, lmtest::quiet_options());
    kvstore::LastModifiedStore layer(store);  // no periodic jobs: only events
    layer.start();
    layer.set("g", "k", "v1");
    other.set("g", "k", "v2");
    CHECK(kvtest::eventually([&] { return value_of(layer, "g", "k") == "v2"; }));
    CHECK(layer.get("g", "k")->last_modified == other.stat("g", "k")->last_modified);
    other.erase("g", "k");
    CHECK(kvtest::eventually([&] { return value_of(layer, "g", "k") == "<none>"; }));
  }
  SECTION("change feed off: the validation job catches up") {
    kvstore::Store store(path, lmtest::quiet_options());  // no external events at all
    kvstore::Store other(path, lmtest::quiet_options());
    kvstore::LastModifiedStore layer(store, config_with(0, 1, 2ms));
    layer.start();
    layer.set("g", "k", "v1");
    layer.set("g", "gone", "v1");
    other.set("g", "k", "v2");
    other.erase("g", "gone");
    CHECK(kvtest::eventually([&] { return value_of(layer, "g", "k") == "v2"; }));
    CHECK(kvtest::eventually([&] { return layer.size() == 1; }));
    CHECK(value_of(layer, "g", "gone") == "<none>");
  }
}

TEST_CASE("LastModifiedStore coherence: changes trimmed before the Store read them resync it",
          "[lastmod]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("db.sqlite");
  auto options = lmtest::quiet_options(5ms);
  options.on_error = [](const std::string&) {};  // the Store reports the loss; expected here
  kvstore::Store store(path, options);
  kvstore::LastModifiedStore layer(store);  // the default config: no validation job
  layer.start();
  layer.set("g", "k", "v1");
  REQUIRE(value_of(layer, "g", "k") == "v1");
  {
    auto trimming = lmtest::quiet_options();
    trimming.change_log_retention = 2;
    kvstore::Store other(path, trimming);
    // One transaction, then enough commits after it that the log is trimmed past it before the
    // layer's Store polls.
    other.transaction([](kvstore::Transaction& tx) {
      tx.set("g", "k", "v2");
      tx.set("g", "k2", "x");
    });
    for (int i = 0; i < 5; ++i) other.set("h", std::to_string(i), "v");
    other.purge_expired();
  }
  CHECK(kvtest::eventually([&] { return value_of(layer, "g", "k") == "v2"; }));
}

TEST_CASE("LastModifiedStore coherence: another process's writes", "[lastmod]") {
  kvtest::TempDir dir;
  const std::string path = dir.file("db.sqlite");
  // Forked first, while this process runs no other thread.
  ChildWriter child(path, [](kvstore::Store& store) {
    store.set("g", "k", "from-child");
    store.erase("g", "erased");
    store.set("g", "new", "created");
  });

  kvstore::Store store(path, lmtest::quiet_options(5ms));
  kvstore::LastModifiedStore layer(store);
  layer.start();
  layer.set("g", "k", "from-parent");
  layer.set("g", "erased", "v");
  REQUIRE(value_of(layer, "g", "k") == "from-parent");

  REQUIRE(child.go_and_wait() == 0);
  CHECK(kvtest::eventually([&] { return value_of(layer, "g", "k") == "from-child"; }));
  CHECK(kvtest::eventually([&] { return value_of(layer, "g", "erased") == "<none>"; }));
  CHECK(value_of(layer, "g", "new") == "created");
  CHECK(layer.get("g", "k")->last_modified == store.stat("g", "k")->last_modified);
}
