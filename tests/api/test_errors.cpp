// Store: failures — bad paths, files that are not databases, read-only stores, a locked database —
// throw the documented kvstore::Error subclass, name the operation and group/key in what(), and
// leave the store exactly as it was.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "printable_bytes.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

using kvtest::contains;
using kvtest::read_bytes;
using kvtest::starts_with;

using kvtest::RawDb;

// A file-backed store holding a known state, closed again.
std::string make_store_file(const TempDir& dir, const std::string& name) {
  const auto path = dir.file(name);
  kvstore::Store store(path);
  kvtest::set_all(store, {{"config", "theme", "dark"},
                          {"config", "lang", "en"},
                          {"page", "title", "Hello"},
                          {"list", "csv", "a,b"}});
  store.set_json("json", "doc", nlohmann::json{{"x", 1}});
  return path;
}

kvstore::Options read_only() {
  kvstore::Options options;
  options.read_only = true;
  return options;
}

}  // namespace

TEST_CASE("Store errors: every kvstore error derives from kvstore::Error and std::runtime_error",
          "[store][errors]") {
  STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, kvstore::Error>);
  STATIC_REQUIRE(std::is_base_of_v<kvstore::Error, kvstore::InvalidArgument>);
  STATIC_REQUIRE(std::is_base_of_v<kvstore::InvalidArgument, kvstore::InvalidConfig>);
  STATIC_REQUIRE(std::is_base_of_v<kvstore::Error, kvstore::SchemaError>);
  STATIC_REQUIRE(std::is_base_of_v<kvstore::Error, kvstore::StorageError>);
  STATIC_REQUIRE(std::is_base_of_v<kvstore::StorageError, kvstore::Busy>);
  const kvstore::StorageError error("kvstore: set g/k: disk I/O error", SQLITE_IOERR_WRITE);
  CHECK(error.sqlite_code() == SQLITE_IOERR_WRITE);
  CHECK(std::string(error.what()) == "kvstore: set g/k: disk I/O error");
}

TEST_CASE("Store errors: an empty path throws InvalidArgument", "[store][errors]") {
  CHECK(starts_with(kvtest::message_of([] { kvstore::Store store(""); }), "kvstore: "));
}

TEST_CASE("Store errors: read_only on :memory: throws InvalidArgument", "[store][errors]") {
  // Such a store could never hold a key: nothing else can write its database.
  try {
    kvstore::Store store(":memory:", read_only());
    FAIL("a read-only :memory: store opened");
  } catch (const kvstore::InvalidArgument& e) {
    CHECK_THAT(e.what(), Catch::Contains("Options::read_only"));
  }
}

TEST_CASE("Store errors: a negative interval in Options throws InvalidConfig naming it",
          "[store][errors]") {
  const auto backend = kvtest::each_backend();
  for (const auto& [field, set_negative] :
       std::vector<std::pair<std::string, void (*)(kvstore::Options&)>>{
           {"busy_timeout", [](kvstore::Options& o) { o.busy_timeout = -1ms; }},
           {"purge_interval", [](kvstore::Options& o) { o.purge_interval = -1ms; }},
           {"external_poll_interval", [](kvstore::Options& o) { o.external_poll_interval = -1ms; }},
       }) {
    kvstore::Options options;
    set_negative(options);
    try {
      kvstore::Store store(backend.path(), options);
      FAIL("opened with a negative " << field);
    } catch (const kvstore::InvalidConfig& e) {
      CHECK(std::string(e.what()) ==
            "kvstore: open: Options::" + field + " must not be negative (got -1 ms)");
    }
  }
}

TEST_CASE("Store errors: a directory path throws a kvstore::Error", "[store][errors]") {
  // File only: about opening a path.
  TempDir dir;
  CHECK_THROWS_AS(kvstore::Store(dir.path().string()), kvstore::Error);
  try {
    kvstore::Store store(dir.path().string());
  } catch (const kvstore::Error& e) {
    const std::string what = e.what();
    CHECK(starts_with(what, "kvstore: "));
    CHECK(contains(what, "open"));
  }
  CHECK(std::filesystem::is_directory(dir.path()));
}

TEST_CASE("Store errors: a file that is not a database throws SchemaError and is not changed",
          "[store][errors]") {
  // File only: about opening a path.
  TempDir dir;
  const auto path = dir.file("notes.txt");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "This is a plain text file, line " << i << ".\n";
  }
  const auto before = read_bytes(path);
  SECTION("read-write") {
    try {
      kvstore::Store store(path);
      FAIL("opened a text file as a database");
    } catch (const kvstore::SchemaError& e) {
      CHECK(starts_with(e.what(), "kvstore: "));
    }
  }
  SECTION("read-only") { CHECK_THROWS_AS(kvstore::Store(path, read_only()), kvstore::SchemaError); }
  CHECK(read_bytes(path) == before);
}

TEST_CASE("Store errors: read_only on a missing file throws and creates nothing",
          "[store][errors][read_only]") {
  // File only: read_only opens a file.
  TempDir dir;
  const auto path = dir.file("missing.db");
  try {
    kvstore::Store store(path, read_only());
    FAIL("opened a missing file read-only");
  } catch (const kvstore::StorageError& e) {
    CHECK(starts_with(e.what(), "kvstore: "));
  }
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("Store errors: a read-only store reads everything", "[store][errors][read_only]") {
  // File only: read_only opens a file.
  TempDir dir;
  const auto path = make_store_file(dir, "ro.db");
  std::uint64_t revision = 0;
  {
    kvstore::Store store(path);
    revision = store.revision();
  }
  const auto before = read_bytes(path);
  {
    kvstore::Store store(path, read_only());
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    CHECK_FALSE(store.get("config", "missing").has_value());
    CHECK(store.get_all("config") ==
          std::map<std::string, std::string>{{"lang", "en"}, {"theme", "dark"}});
    CHECK(store.count("config") == 2);
    CHECK(store.count_all() == 5);
    CHECK(store.count_all("con") == 2);
    CHECK(store.groups() == std::vector<std::string>{"config", "json", "list", "page"});
    int visited = 0;
    store.for_each("config", [&](std::string_view, std::string_view) { return ++visited, true; });
    CHECK(visited == 2);
    CHECK(store.render("page", kvstore::Template{"{{title}}"}) == "Hello");
    CHECK(store.get_split("list", "csv", ",") == std::vector<std::string>{"a", "b"});
    CHECK(store.get_fields("list", "csv") == std::vector<std::string>{"a,b"});
    CHECK(store.get_json("json", "doc") == std::optional<nlohmann::json>(nlohmann::json{{"x", 1}}));
    CHECK(store.revision() == revision);
  }
  CHECK(read_bytes(path) == before);
}

TEST_CASE(
    "Store errors: every write to a read-only store throws StorageError and changes "
    "nothing",
    "[store][errors][read_only]") {
  // File only: read_only opens a file.
  TempDir dir;
  const auto path = make_store_file(dir, "ro-writes.db");
  const auto before = read_bytes(path);
  {
    kvstore::Store store(path, read_only());
    const auto revision = store.revision();
    const auto check_refused = [](const std::function<void()>& write, const std::string& op) {
      INFO("operation " << op);
      try {
        write();
        FAIL("a read-only store accepted " + op);
      } catch (const kvstore::StorageError& e) {
        const std::string what = e.what();
        INFO("what(): " << what);
        CHECK(starts_with(what, "kvstore: "));
        CHECK(contains(what, op));
      }
    };
    check_refused([&] { store.set("config", "theme", "light"); }, "set");
    check_refused([&] { store.set("config", "new", "v"); }, "set");
    check_refused([&] { store.set_with_ttl("config", "theme", "light", 1h); }, "set_with_ttl");
    check_refused([&] { store.erase("config", "theme"); }, "erase");
    check_refused([&] { store.delete_group("config"); }, "delete_group");
    check_refused([&] { store.delete_prefix(""); }, "delete_prefix");
    check_refused([&] { store.set_json("json", "doc", nlohmann::json{{"x", 2}}); }, "set");
    check_refused(
        [&] { store.transaction([](kvstore::Transaction& t) { t.set("config", "x", "y"); }); }, "");
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    CHECK(store.count_all() == 5);
    CHECK(store.revision() == revision);
  }
  CHECK(read_bytes(path) == before);
  kvstore::Store store(path);
  CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
  CHECK_FALSE(store.get("config", "x").has_value());
  CHECK(store.count_all() == 5);
}

TEST_CASE("Store errors: a read-only store sees a writer's later commits",
          "[store][errors][read_only]") {
  // File only: read_only opens a file another connection writes.
  TempDir dir;
  const auto path = make_store_file(dir, "ro-live.db");
  kvstore::Store writer(path);
  kvstore::Store reader(path, read_only());
  writer.set("config", "theme", "light");
  CHECK(reader.get("config", "theme") == std::optional<std::string>("light"));
  CHECK(reader.revision() == writer.revision());
}

TEST_CASE("Store errors: a database locked past busy_timeout throws Busy and changes nothing",
          "[store][errors][file]") {
  // File only: the lock is held by another connection to the file.
  TempDir dir;
  const auto path = make_store_file(dir, "locked.db");
  kvstore::Options options;
  options.busy_timeout = 20ms;
  kvstore::Store store(path, options);
  const auto revision = store.revision();
  RawDb locker(path);
  locker.exec("BEGIN IMMEDIATE");

  const auto check_busy = [](const std::function<void()>& write, const std::string& expected) {
    INFO("expected " << expected);
    try {
      write();
      FAIL("a write went through a held lock");
    } catch (const kvstore::Busy& e) {
      const std::string what = e.what();
      INFO("what(): " << what);
      CHECK(starts_with(what, "kvstore: "));
      CHECK(contains(what, expected));
      CHECK((e.sqlite_code() & 0xff) == SQLITE_BUSY);
    }
  };
  check_busy([&] { store.set("config", "theme", "light"); }, "set config/theme");
  check_busy([&] { store.set_with_ttl("config", "lang", "fr", 1h); }, "set_with_ttl config/lang");
  check_busy([&] { store.erase("config", "theme"); }, "erase config/theme");
  check_busy([&] { store.delete_group("config"); }, "delete_group config");
  check_busy([&] { store.delete_prefix("con"); }, "delete_prefix con");
  check_busy([&] { store.transaction([](kvstore::Transaction& t) { t.set("config", "x", "y"); }); },
             "transaction");

  // Busy is a StorageError.
  CHECK_THROWS_AS(store.set("config", "theme", "light"), kvstore::StorageError);
  // Readers are not blocked by a writer in WAL mode.
  CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
  CHECK(store.count_all() == 5);

  locker.exec("ROLLBACK");
  // Nothing of the failed calls was stored, and the store is usable again.
  CHECK(store.get_all("config") ==
        std::map<std::string, std::string>{{"lang", "en"}, {"theme", "dark"}});
  CHECK(store.revision() == revision);
  store.set("config", "theme", "light");
  CHECK(store.get("config", "theme") == std::optional<std::string>("light"));
  CHECK(store.revision() > revision);
}

TEST_CASE("Store errors: messages escape unprintable bytes in group and key", "[store][errors]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const std::string group("gr\0up", 5);
  const std::string key = "k\ney";
  try {
    store.set_with_ttl(group, key, "v", 0ms);
    FAIL("accepted a zero TTL");
  } catch (const kvstore::InvalidArgument& e) {
    const std::string what(e.what());
    INFO("what(): " << what);
    CHECK(starts_with(what, "kvstore: set_with_ttl "));
    CHECK(starts_with(what, "kvstore: set_with_ttl " + kvtest::printable(group) + "/" +
                                kvtest::printable(key) + ": "));
    CHECK(what.find('\n') == std::string::npos);
    CHECK(what.find('\0') == std::string::npos);
    CHECK(contains(what, "gr"));
    CHECK(contains(what, "ey"));
  }
}

TEST_CASE("Store errors: bad input leaves the store unchanged and usable", "[store][errors]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "k", "v"}, {"g", "csv", "a,b"}, {"page", "t", "T"}});
  const auto revision = store.revision();
  const auto snapshot = store.get_all("g");

  CHECK_THROWS_AS(store.set_with_ttl("g", "k", "changed", 0ms), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.set_with_ttl("g", "new", "v", -1ms), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.get_split("g", "csv", ""), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.get_json("g", "k"), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.render("page", kvstore::Template{"{{#open}}"}), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.transaction([](kvstore::Transaction& t) {
    t.set("g", "k", "in-transaction");
    t.set_with_ttl("g", "other", "v", 0ms);
  }),
                  kvstore::InvalidArgument);

  CHECK(store.get_all("g") == snapshot);
  CHECK(store.revision() == revision);
  store.set("g", "after", "ok");
  CHECK(store.get("g", "after") == std::optional<std::string>("ok"));
}

TEST_CASE("Store errors: what() names the operation and the group/key", "[store][errors]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("config", "theme", "not json");
  const auto what_of = [](auto&& call) { return kvtest::message_of<kvstore::Error>(call); };
  const auto ttl = what_of([&] { store.set_with_ttl("config", "theme", "v", 0ms); });
  CHECK(starts_with(ttl, "kvstore: set_with_ttl config/theme: "));
  const auto json = what_of([&] { (void)store.get_json("config", "theme"); });
  CHECK(starts_with(json, "kvstore: get_json config/theme: "));
  const auto split = what_of([&] { (void)store.get_split("config", "theme", ""); });
  CHECK(starts_with(split, "kvstore: get_split config/theme: "));
  const auto render = what_of([&] { (void)store.render("config", kvstore::Template{"{{"}); });
  CHECK(starts_with(render, "kvstore: render config: "));
}

TEST_CASE("Store errors: set_json of a string that is not UTF-8 throws InvalidArgument",
          "[store][errors]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvstore::ScopedStore scoped(store, "t");
  const nlohmann::json bad = std::string("\xff\xfe");
  CHECK_THROWS_AS(store.set_json("g", "k", bad), kvstore::InvalidArgument);
  CHECK_THROWS_AS(scoped.set_json("g", "k", bad), kvstore::InvalidArgument);
  CHECK(store.count_all() == 0);
}

TEST_CASE("Store errors: get_json of any stored value nlohmann cannot parse throws InvalidArgument",
          "[store][errors][limits]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvstore::ScopedStore scoped(store, "t");
  // A number too large for a double is nlohmann's out_of_range, not a parse_error.
  const std::string value = GENERATE(std::string("1e99999"), std::string("-1e400"),
                                     std::string("[1, 2"), std::string("\"\\ud800\""));
  INFO(value);
  store.set("g", "k", value);
  scoped.set("g", "k", value);
  try {
    (void)store.get_json("g", "k");
    FAIL("Store::get_json did not throw");
  } catch (const kvstore::InvalidArgument& e) {
    CHECK(starts_with(e.what(), "kvstore: get_json g/k: not JSON: "));
  }
  try {
    (void)scoped.get_json("g", "k");
    FAIL("ScopedStore::get_json did not throw");
  } catch (const kvstore::InvalidArgument& e) {
    CHECK(starts_with(e.what(), "kvstore: get_json t:g/k: not JSON: "));
  }
  CHECK(store.get("g", "k") == value);  // the stored value is left as it was
}
