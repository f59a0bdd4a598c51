// The kvstore CLI's maintenance commands: stats, check (also on a corrupted copy), checkpoint,
// vacuum.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using nlohmann::json;

namespace {

// A store with enough keys to span many pages, written through the library.
void fill(const std::string& path, int keys) {
  kvstore::Store store(path);
  store.transaction([&](kvstore::Transaction& tx) {
    for (int i = 0; i < keys; ++i) {
      tx.set("bulk", "key-" + std::to_string(i), std::string(200, static_cast<char>('a' + i % 26)));
    }
  });
}

// Overwrites `length` bytes at `offset` with garbage.
void scribble(const std::string& path, std::streamoff offset, std::size_t length) {
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  file.seekp(offset);
  file << std::string(length, '\x5a');
}

}  // namespace

TEST_CASE("stats reports the store's shape", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "a", "k1", "v"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "k2", "v", "--ttl", "1h"}).exit_code == 0);
  REQUIRE(store.cli({"set", "b", "k", "v"}).exit_code == 0);

  const auto result = store.cli({"--json", "stats"});
  REQUIRE(result.exit_code == 0);
  const auto stats = json::parse(result.out);
  CHECK(stats["path"] == store.path());
  CHECK(stats["schema_version"].get<int>() > 0);
  CHECK(stats["journal_mode"] == "wal");
  CHECK(stats["page_size"].get<long>() > 0);
  CHECK(stats["page_count"].get<long>() > 0);
  CHECK(stats["file_bytes"].get<long>() > 0);
  CHECK(stats.contains("wal_bytes"));
  CHECK(stats.contains("free_pages"));
  CHECK(stats["groups"] == 2);
  CHECK(stats["keys"] == 3);
  CHECK(stats["expiring_keys"] == 1);
  CHECK(stats["revision"] == 3);
  CHECK(stats.contains("change_log_entries"));

  const auto plain = store.cli({"stats"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.starts_with("path\t" + store.path() + "\nschema_version\t"));
  CHECK(plain.out.find("\nkeys\t3\n") != std::string::npos);
}

TEST_CASE("check passes on a sound store and fails with exit 3 on a corrupted copy", "[cli]") {
  StoreFile store;
  fill(store.path(), 2000);
  const auto sound = store.cli({"check"});
  CHECK(sound.exit_code == 0);
  CHECK(sound.out == "ok\n");
  CHECK(json::parse(store.cli({"--json", "check"}).out) ==
        json{{"ok", true}, {"problems", json::array()}});

  const std::string copy = store.dir().file("corrupt.db");
  std::filesystem::copy_file(store.path(), copy);
  REQUIRE(std::filesystem::file_size(copy) > 40 * 4096);
  scribble(copy, 20 * 4096, 8 * 4096);  // eight pages of the table's b-tree

  const auto corrupt = clitest::run({"--db", copy, "check"});
  INFO(corrupt.out << corrupt.err);
  CHECK(corrupt.exit_code == 3);
  CHECK(corrupt.err.starts_with("kvstore: "));
  CHECK(std::count(corrupt.err.begin(), corrupt.err.end(), '\n') == 1);

  // A file that is not a database at all.
  std::ofstream(store.dir().file("text.db")) << "this is not a database, just some text\n";
  const auto text = clitest::run({"--db", store.dir().file("text.db"), "check"});
  CHECK(text.exit_code == 3);
  CHECK(text.err.starts_with("kvstore: "));
  CHECK(store.cli({"check"}).exit_code == 0);  // the original is untouched
}

TEST_CASE("checkpoint and vacuum rewrite the file and keep the data", "[cli]") {
  StoreFile store;
  fill(store.path(), 500);
  {
    kvstore::Store writer(store.path());
    writer.delete_group("bulk");
    writer.set("kept", "k", "v");
  }
  const auto checkpoint = store.cli({"--json", "checkpoint"});
  REQUIRE(checkpoint.exit_code == 0);
  CHECK(json::parse(checkpoint.out) == json{{"checkpoint", "done"}, {"wal_bytes", 0}});
  CHECK(store.cli({"checkpoint"}).out == "checkpointed (WAL now 0 bytes)\n");

  const auto vacuum = store.cli({"--json", "vacuum"});
  REQUIRE(vacuum.exit_code == 0);
  const auto sizes = json::parse(vacuum.out);
  CHECK(sizes["vacuum"] == "done");
  CHECK(sizes["file_bytes_after"].get<long>() < sizes["file_bytes_before"].get<long>());
  CHECK(store.cli({"vacuum"}).out.starts_with("vacuumed: "));
  CHECK(store.cli({"get", "kept", "k"}).out == "v\n");
  CHECK(store.cli({"check"}).exit_code == 0);
}
