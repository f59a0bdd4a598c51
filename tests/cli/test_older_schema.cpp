// Files of an older schema (go-store's, with and without expires_at, and every earlier kvstore
// version) are read by every read command with their bytes unchanged; a write command refuses
// and points to `kvstore migrate`, which backs the file up, asks, and upgrades it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using clitest::StoreFile;
using kvtest::contains;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  return kvtest::read_bytes(std::string(KVSTORE_TEST_FIXTURES) + "/" + name);
}

// go-store's TTL file, then the migrations up to `version` applied as an earlier kvstore did
// (0: as go-store left it). Its rows: config/theme=dark, config/lang=en, two live keys in
// session, and expired ones.
void build_store(const std::string& path, int version) {
  kvtest::RawDb raw(path);
  raw.exec(fixture("go_store_ttl.sql"));
  for (int v = 1; v <= version; ++v) {
    raw.exec(kvtest::migration_sql(v));
    raw.exec("PRAGMA user_version = " + std::to_string(v));
  }
}

struct FileState {
  std::string bytes;
  bool wal = false, shm = false;
  bool operator==(const FileState&) const = default;
};

FileState state_of(const std::string& path) {
  return {kvtest::read_bytes(path), fs::exists(path + "-wal"), fs::exists(path + "-shm")};
}

struct ReadCase {
  std::vector<std::string> args;
  std::string out;  // expected stdout; empty: only the exit code is checked
};

// Runs each read on `store`: exit 0, the output expected, the file as it was (bytes, no -wal/-shm).
void check_reads(const StoreFile& store, const std::vector<ReadCase>& reads) {
  const auto before = state_of(store.path());
  REQUIRE_FALSE(before.wal);
  for (const auto& read : reads) {
    std::string shown;
    for (const auto& arg : read.args) shown += arg + " ";
    INFO("kvstore " << shown);
    const auto result = store.cli(read.args);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 0);
    if (!read.out.empty()) CHECK(result.out == read.out);
    CHECK(state_of(store.path()) == before);
  }
}

}  // namespace

TEST_CASE("cli: every read command reads an older schema and leaves its bytes unchanged",
          "[cli][older-schema]") {
  const int version = GENERATE(range(0, 6));  // 0: go-store; 1..5: earlier kvstore versions
  StoreFile store;
  build_store(store.path(), version);
  const auto before = state_of(store.path());
  REQUIRE_FALSE(before.wal);

  const std::vector<ReadCase> reads = {
      {{"get", "config", "theme"}, "dark\n"},
      {{"get", "session", "live-1"}, "token-a\n"},
      {{"keys", "config"}, "lang\ntheme\n"},
      {{"groups"}, "config\t2\nsession\t2\n"},
      {{"count"}, "4\n"},
      {{"count", "session"}, "2\n"},
      {{"ttl", "config", "theme"}, "none\n"},
      {{"render", "config", "{{theme}}/{{lang}}"}, "dark/en\n"},
      {{"check"}, "ok\n"},
      {{"export"}, ""},
      {{"stats"}, ""},
      {{"--namespace", "acme", "count"}, "0\n"},
  };
  INFO("schema version " << version);
  check_reads(store, reads);
  CHECK(store.cli({"get", "session", "gone-1"}).exit_code == 1);  // expired: hidden
  CHECK(store.cli({"get", "cache", "gone-3"}).exit_code == 1);

  const auto stats = json::parse(store.cli({"--json", "stats"}).out);
  CHECK(stats["schema_version"] == version);
  CHECK(stats["revision"] == 0);
  const auto schema = stats["schema"].get<std::string>();
  CHECK(schema.starts_with("older"));
  CHECK(contains(schema, "kvstore migrate"));
  CHECK(contains(schema, "no revisions") == (version < 2));  // 0002 added the change log
  const auto exported = json::parse(store.cli({"export"}).out);
  CHECK(exported["entries"].size() == 4);
  CHECK(state_of(store.path()) == before);
}

TEST_CASE("cli: go-store's file without expires_at is read by every read command untouched",
          "[cli][older-schema]") {
  StoreFile store;
  { kvtest::RawDb(store.path()).exec(fixture("go_store_pre_ttl.sql")); }
  const std::vector<ReadCase> reads = {
      {{"get", "users", "bob"}, "O'Brien; DROP TABLE kv; --\n"},
      {{"keys", "config"}, "empty\nlang\ntheme\n"},
      {{"groups"}, "config\t3\ni18n\t1\nusers\t2\n"},
      {{"count"}, "6\n"},
      {{"ttl", "config", "lang"}, "none\n"},
      {{"render", "config", "{{theme}}"}, "dark\n"},
      {{"check"}, "ok\n"},
      {{"export"}, ""},
      {{"stats"}, ""},
  };
  check_reads(store, reads);
}

TEST_CASE("cli: a write command on an older schema refuses and names kvstore migrate",
          "[cli][older-schema]") {
  StoreFile store;
  build_store(store.path(), 0);
  const auto before = state_of(store.path());
  const std::vector<std::vector<std::string>> writes = {{"set", "config", "theme", "light"},
                                                        {"del", "config", "theme"},
                                                        {"purge"},
                                                        {"import", "-"},
                                                        {"checkpoint"},
                                                        {"vacuum"}};
  for (const auto& args : writes) {
    INFO("kvstore " << args[0]);
    clitest::RunOptions options;
    options.input = R"({"entries":[]})";
    const auto result = store.cli(args, options);
    CHECK(result.exit_code == 3);
    CHECK(contains(result.err, store.path()));
    CHECK(contains(result.err, "kvstore --db " + store.path() + " migrate"));
    CHECK(contains(result.err, "nothing was changed"));
    CHECK(state_of(store.path()) == before);
  }
}

TEST_CASE("cli: migrate shows the versions, needs --yes without a terminal, backs up first",
          "[cli][older-schema]") {
  StoreFile store;
  build_store(store.path(), 0);
  const auto before = state_of(store.path());

  const auto unconfirmed = store.cli({"migrate"});
  CHECK(unconfirmed.exit_code == 2);
  CHECK(contains(unconfirmed.err,
                 "schema version 0 (go-store) -> " + std::to_string(kvtest::latest_migration())));
  CHECK(contains(unconfirmed.err, "--yes"));
  CHECK(state_of(store.path()) == before);
  CHECK_FALSE(fs::exists(store.path() + ".bak-0"));

  const auto migrated = store.cli({"migrate", "--yes"});
  INFO(migrated.err);
  REQUIRE(migrated.exit_code == 0);
  CHECK(contains(migrated.out, "migrated " + store.path() + " from schema version 0 to " +
                                   std::to_string(kvtest::latest_migration())));
  // The backup is the old file, still readable as it was.
  const std::string backup = store.path() + ".bak-0";
  REQUIRE(fs::exists(backup));
  CHECK(json::parse(clitest::run({"--db", backup, "--json", "stats"}).out)["schema_version"] == 0);
  CHECK(clitest::run({"--db", backup, "get", "config", "theme"}).out == "dark\n");

  CHECK(json::parse(store.cli({"--json", "stats"}).out)["schema"] == "current");
  CHECK(store.cli({"set", "config", "theme", "light"}).exit_code == 0);
  CHECK(store.cli({"get", "session", "live-2"}).out == "token-b\n");

  const auto again = store.cli({"migrate", "--yes"});
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "is current; nothing to do"));
}

TEST_CASE("cli: migrate --backup FILE never overwrites; --no-backup skips it",
          "[cli][older-schema]") {
  StoreFile store;
  build_store(store.path(), 3);
  const std::string taken = store.dir().file("taken.db");
  { kvtest::RawDb raw(taken); }
  const auto before = state_of(store.path());
  const auto refused = store.cli({"migrate", "--yes", "--backup", taken});
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "already exists"));
  CHECK(state_of(store.path()) == before);

  const auto json_result = store.cli({"--json", "migrate", "--yes", "--no-backup"});
  INFO(json_result.err);
  REQUIRE(json_result.exit_code == 0);
  const auto doc = json::parse(json_result.out);
  CHECK(doc["from"] == 3);
  CHECK(doc["backup"].is_null());
  CHECK_FALSE(fs::exists(store.path() + ".bak-3"));
}
