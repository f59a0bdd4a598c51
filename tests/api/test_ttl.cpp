// Store: keys with a time to live — expiry on read, exclusion from every read, TTL replacement,
// invalid TTLs, purge_expired and the background purge thread.
//
// Waiting for expiry: wait_until_expired(ttl) gives a sentinel key in a private store the same
// TTL *after* the keys under test were written, and polls it; once the sentinel has expired, so
// have they. The store under test is not touched while waiting.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

using kvtest::no_purge;
using kvtest::wait_until_expired;

namespace {

using kvtest::RawDb;

constexpr auto kShortTtl = 40ms;

// Leaves the store file at `path` holding g/gone, whose TTL has run out though no read has met it
// (no purge thread ran), and g/kept, which has no TTL: the state the expiry of a read acts on.
void write_expired_and_kept(const std::string& path) {
  {
    kvstore::Store store(path, no_purge());
    store.set_with_ttl("g", "gone", "v", kShortTtl);
    store.set("g", "kept", "v");
    CHECK(store.get("g", "gone") == std::optional<std::string>("v"));
  }
  wait_until_expired(kShortTtl);
}

}  // namespace

TEST_CASE("Store TTL: a key with a future TTL is readable and counted", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("session", "token", "abc", 1h);
  CHECK(store.get("session", "token") == std::optional<std::string>("abc"));
  CHECK(store.count("session") == 1);
  CHECK(store.count_all() == 1);
  CHECK(store.groups() == std::vector<std::string>{"session"});
  CHECK(store.get_all("session") == std::map<std::string, std::string>{{"token", "abc"}});
  CHECK(store.render("session", kvstore::Template{"{{token}}"}) == "abc");
  CHECK(store.purge_expired() == 0);
  CHECK(store.get("session", "token") == std::optional<std::string>("abc"));
}

TEST_CASE("Store TTL: a huge TTL does not overflow into the past", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("g", "max", "v", std::chrono::milliseconds::max());
  store.set_with_ttl("g", "century", "v", std::chrono::hours(24 * 365 * 100));
  CHECK(store.get("g", "max") == std::optional<std::string>("v"));
  CHECK(store.get("g", "century") == std::optional<std::string>("v"));
  CHECK(store.purge_expired() == 0);
  CHECK(store.count("g") == 2);
  // stat converts the stored expiry to a nanosecond time_point: it saturates, far in the future.
  const auto meta = store.stat("g", "max");
  REQUIRE(meta.has_value());
  REQUIRE(meta->expires_at.has_value());
  CHECK(*meta->expires_at > kvstore::Clock::now() + std::chrono::hours(24 * 365 * 200));
}

TEST_CASE("Store TTL: get of an expired key returns nullopt and deletes the row",
          "[store][ttl][file]") {
  // File only: inspects the table through another connection to the file.
  TempDir dir;
  const auto path = dir.file("ttl.db");
  write_expired_and_kept(path);
  kvstore::Store store(path, no_purge());

  RawDb raw(path);
  // Expired but not yet met by a read, and no purge thread: the row is still in the table.
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE key = 'gone'") == 1);
  const auto rev = store.revision();

  CHECK_FALSE(store.get("g", "gone").has_value());
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE key = 'gone'") == 0);
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE key = 'kept'") == 1);
  // The expiry is a mutation: it bumps the revision.
  CHECK(store.revision() > rev);
  CHECK_FALSE(store.get("g", "gone").has_value());
  CHECK(store.get("g", "kept") == std::optional<std::string>("v"));
}

TEST_CASE("Store TTL: an expired key is eventually invisible to get", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("g", "k", "v", 30ms);
  CHECK(kvtest::eventually([&] { return !store.get("g", "k").has_value(); }));
}

TEST_CASE(
    "Store TTL: expired keys are excluded from count, count_all, groups, get_all, "
    "for_each and render",
    "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("page", "title", "Hello");
  store.set_with_ttl("page", "live", "still here", 1h);
  store.set_with_ttl("page", "gone", "expired", kShortTtl);
  store.set_with_ttl("ephemeral", "only", "expired", kShortTtl);
  store.set_with_ttl("ephemeral-2", "a", "expired", kShortTtl);
  store.set_with_ttl("ephemeral-2", "b", "expired", kShortTtl);
  REQUIRE(store.count("page") == 3);
  REQUIRE(store.count_all() == 6);
  wait_until_expired(kShortTtl);

  CHECK(store.count("page") == 2);
  CHECK(store.count("ephemeral") == 0);
  CHECK(store.count("ephemeral-2") == 0);
  CHECK(store.count_all() == 2);
  CHECK(store.count_all("eph") == 0);
  CHECK(store.count_all("page") == 2);
  CHECK(store.groups() == std::vector<std::string>{"page"});
  CHECK(store.groups("eph").empty());
  CHECK(store.get_all("page") ==
        std::map<std::string, std::string>{{"live", "still here"}, {"title", "Hello"}});
  CHECK(store.get_all("ephemeral").empty());

  std::vector<std::string> visited;
  store.for_each("page", [&](std::string_view key, std::string_view) {
    visited.emplace_back(key);
    return true;
  });
  CHECK(visited == std::vector<std::string>{"live", "title"});
  bool visited_ephemeral = false;
  store.for_each("ephemeral", [&](std::string_view, std::string_view) {
    visited_ephemeral = true;
    return true;
  });
  CHECK_FALSE(visited_ephemeral);

  CHECK(store.render("page", kvstore::Template{"{{title}}|{{live}}|{{gone}}"}) ==
        "Hello|still here|");

  // The value views see the key as absent too.
  CHECK(store.get_split("page", "gone", ",").empty());
  CHECK(store.get_fields("page", "gone").empty());
  CHECK_FALSE(store.get_json("page", "gone").has_value());
}

TEST_CASE("Store TTL: set clears a TTL", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set_with_ttl("g", "plain", "temporary", kShortTtl);
  store.set("g", "plain", "permanent");
  store.set_with_ttl("g", "json", "temporary", kShortTtl);
  store.set_json("g", "json", nlohmann::json{{"permanent", true}});
  wait_until_expired(kShortTtl);
  CHECK(store.get("g", "plain") == std::optional<std::string>("permanent"));
  CHECK(store.get_json("g", "json") ==
        std::optional<nlohmann::json>(nlohmann::json{{"permanent", true}}));
  CHECK(store.purge_expired() == 0);
  CHECK(store.count("g") == 2);
}

TEST_CASE("Store TTL: set_with_ttl replaces an earlier TTL", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  SECTION("a long TTL replaced by a short one expires") {
    store.set_with_ttl("g", "k", "first", 1h);
    store.set_with_ttl("g", "k", "second", kShortTtl);
    CHECK(store.get("g", "k") == std::optional<std::string>("second"));
    wait_until_expired(kShortTtl);
    CHECK_FALSE(store.get("g", "k").has_value());
  }
  SECTION("a short TTL replaced by a long one survives") {
    store.set_with_ttl("g", "k", "first", kShortTtl);
    store.set_with_ttl("g", "k", "second", 1h);
    wait_until_expired(kShortTtl);
    CHECK(store.get("g", "k") == std::optional<std::string>("second"));
  }
  SECTION("a permanent key given a TTL expires") {
    store.set("g", "k", "permanent");
    store.set_with_ttl("g", "k", "temporary", kShortTtl);
    wait_until_expired(kShortTtl);
    CHECK_FALSE(store.get("g", "k").has_value());
  }
}

TEST_CASE("Store TTL: a TTL <= 0 throws InvalidArgument and writes nothing", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "existing", "old");
  store.set_with_ttl("g", "with-ttl", "old-ttl", 1h);
  const auto rev = store.revision();
  for (const std::chrono::milliseconds ttl :
       std::vector<std::chrono::milliseconds>{0ms, -1ms, -1h, std::chrono::milliseconds::min()}) {
    INFO("ttl " << ttl.count());
    CHECK_THROWS_AS(store.set_with_ttl("g", "new", "v", ttl), kvstore::InvalidArgument);
    CHECK_THROWS_AS(store.set_with_ttl("g", "existing", "new", ttl), kvstore::InvalidArgument);
    CHECK_THROWS_AS(store.set_with_ttl("g", "with-ttl", "new", ttl), kvstore::InvalidArgument);
  }
  try {
    store.set_with_ttl("g", "new", "v", 0ms);
  } catch (const kvstore::InvalidArgument& e) {
    const std::string what = e.what();
    CHECK(what.rfind("kvstore: ", 0) == 0);
    CHECK(what.find("set_with_ttl") != std::string::npos);
    CHECK(what.find("g/new") != std::string::npos);
  }
  CHECK_FALSE(store.get("g", "new").has_value());
  CHECK(store.get("g", "existing") == std::optional<std::string>("old"));
  CHECK(store.get("g", "with-ttl") == std::optional<std::string>("old-ttl"));
  CHECK(store.count("g") == 2);
  CHECK(store.revision() == rev);
  // The existing key kept no TTL: it is not purged.
  CHECK(store.purge_expired() == 0);
}

TEST_CASE("Store TTL: erase, delete_group and delete_prefix count only live keys", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.set("g", "live", "v");
  store.set_with_ttl("g", "gone", "v", kShortTtl);
  store.set("p:1", "live", "v");
  store.set_with_ttl("p:1", "gone", "v", kShortTtl);
  store.set_with_ttl("p:2", "gone", "v", kShortTtl);
  store.set_with_ttl("e", "gone", "v", kShortTtl);
  wait_until_expired(kShortTtl);
  CHECK_FALSE(store.erase("e", "gone"));
  CHECK(store.delete_group("g") == 1);
  CHECK(store.delete_prefix("p:") == 1);
  CHECK(store.count_all() == 0);
  CHECK(store.purge_expired() == 0);  // the expired rows went with their groups
}

TEST_CASE("Store TTL: purge_expired deletes the expired rows and returns how many",
          "[store][ttl][file]") {
  // File only: inspects the table through another connection to the file.
  TempDir dir;
  const auto path = dir.file("purge.db");
  kvstore::Store store(path, no_purge());
  for (int i = 0; i < 5; ++i) store.set_with_ttl("g", "gone" + std::to_string(i), "v", kShortTtl);
  store.set_with_ttl("h", "gone", "v", kShortTtl);
  store.set_with_ttl("g", "later", "v", 1h);
  store.set("g", "forever", "v");
  wait_until_expired(kShortTtl);
  const auto rev = store.revision();
  CHECK(store.purge_expired() == 6);
  CHECK(store.revision() > rev);
  RawDb raw(path);
  CHECK(raw.integer("SELECT count(*) FROM kv") == 2);
  CHECK(store.purge_expired() == 0);
  CHECK(store.get_all("g") == std::map<std::string, std::string>{{"forever", "v"}, {"later", "v"}});
}

TEST_CASE("Store TTL: purge_expired handles more expired rows than one batch", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.transaction([](kvstore::Transaction& t) {
    for (int i = 0; i < 2500; ++i) t.set_with_ttl("bulk", "k" + std::to_string(i), "v", kShortTtl);
    t.set("bulk", "keep", "v");
  });
  wait_until_expired(kShortTtl);
  CHECK(store.purge_expired() == 2500);
  CHECK(store.count("bulk") == 1);
  CHECK(store.purge_expired() == 0);
}

TEST_CASE("Store TTL: the background purge deletes expired rows from the table",
          "[store][ttl][file]") {
  // File only: inspects the table through another connection to the file.
  TempDir dir;
  const auto path = dir.file("background.db");
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  kvstore::Options options;
  options.purge_interval = 20ms;
  options.on_error = [&](const std::string& message) {
    std::lock_guard lock(errors_mutex);
    errors.push_back(message);
  };
  kvstore::Store store(path, options);
  store.set_with_ttl("session", "a", "v", 30ms);
  store.set_with_ttl("session", "b", "v", 30ms);
  store.set_with_ttl("session", "later", "v", 1h);
  store.set("config", "forever", "v");
  const auto rev = store.revision();

  RawDb raw(path);
  // Nothing reads the expired keys: only the purge thread can remove their rows.
  CHECK(kvtest::eventually(
      [&] { return raw.integer("SELECT count(*) FROM kv WHERE grp = 'session'") == 1; }));
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE grp = 'config'") == 1);
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE key = 'later'") == 1);
  CHECK(store.revision() > rev);
  CHECK(store.count_all() == 2);
  std::lock_guard lock(errors_mutex);
  CHECK(errors.empty());
}

TEST_CASE("Store TTL: the background purge keeps running after its first pass",
          "[store][ttl][file]") {
  // File only: inspects the table through another connection to the file.
  TempDir dir;
  const auto path = dir.file("background-repeat.db");
  kvstore::Options options;
  options.purge_interval = 10ms;
  kvstore::Store store(path, options);
  RawDb raw(path);
  for (int round = 0; round < 3; ++round) {
    store.set_with_ttl("round", "k", "v", 20ms);
    CHECK(kvtest::eventually([&] { return raw.integer("SELECT count(*) FROM kv") == 0; }));
  }
}

TEST_CASE("Store TTL: with purge_interval 0 expired rows stay until something deletes them",
          "[store][ttl][file]") {
  // File only: inspects the table through another connection to the file.
  TempDir dir;
  const auto path = dir.file("nopurge.db");
  kvstore::Store store(path, no_purge());
  store.set_with_ttl("g", "k", "v", 20ms);
  wait_until_expired(20ms);
  wait_until_expired(20ms);
  RawDb raw(path);
  CHECK(raw.integer("SELECT count(*) FROM kv") == 1);
  CHECK(store.count("g") == 0);  // hidden nonetheless
  CHECK(store.purge_expired() == 1);
  CHECK(raw.integer("SELECT count(*) FROM kv") == 0);
}

TEST_CASE("Store TTL: destroying a Store does not wait out a long purge_interval", "[store][ttl]") {
  // If the destructor waited for the interval, this loop would take 20 hours: the test would hang.
  kvstore::Options options;
  options.purge_interval = 1h;
  TempDir dir;
  for (int i = 0; i < 20; ++i) {
    {
      kvstore::Store store(":memory:", options);
      store.set_with_ttl("g", "k", "v", 1h);
    }
    {
      kvstore::Store store(dir.file("destroy.db"), options);
      store.set("g", "k" + std::to_string(i), "v");
    }
  }
  kvstore::Store store(dir.file("destroy.db"), options);
  CHECK(store.count("g") == 20);
}

TEST_CASE("Store TTL: a read-only store hides expired keys but does not delete them",
          "[store][ttl][file]") {
  // File only: read_only opens a file.
  TempDir dir;
  const auto path = dir.file("ro-ttl.db");
  write_expired_and_kept(path);
  {
    kvstore::Options options = no_purge();
    options.read_only = true;
    kvstore::Store store(path, options);
    CHECK_FALSE(store.get("g", "gone").has_value());
    CHECK(store.count("g") == 1);
    CHECK(store.get_all("g") == std::map<std::string, std::string>{{"kept", "v"}});
  }
  RawDb raw(path);
  CHECK(raw.integer("SELECT count(*) FROM kv WHERE key = 'gone'") == 1);
}

TEST_CASE("Store TTL: a TTL set inside a transaction is committed with it", "[store][ttl]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), no_purge());
  store.transaction([](kvstore::Transaction& t) {
    t.set_with_ttl("g", "short", "v", kShortTtl);
    t.set_with_ttl("g", "long", "v", 1h);
    CHECK(t.get("g", "short") == std::optional<std::string>("v"));
    CHECK_THROWS_AS(t.set_with_ttl("g", "bad", "v", 0ms), kvstore::InvalidArgument);
  });
  CHECK(store.count("g") == 2);
  wait_until_expired(kShortTtl);
  CHECK_FALSE(store.get("g", "short").has_value());
  CHECK(store.get("g", "long") == std::optional<std::string>("v"));
  CHECK_FALSE(store.get("g", "bad").has_value());
}
