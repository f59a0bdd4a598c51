// Streamed values of a store on a file live in files of their own ("<database file>-blobs/<id>"):
// where the bytes go, that a value's file is deleted only once the deletion of its row committed,
// that a reader keeps the version it opened, that opening reclaims files no row records, and that
// a damaged value file is an error (never a short value or a MISS). The behaviour shared with
// ":memory:" stores is tested on both in test_blob.cpp.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "blob/store_on_file.hpp"
#include "blob_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::blob_directory;
using kvtest::blob_file_ids;
using kvtest::leftovers;
using kvtest::query_int;
using kvtest::quiet;
using kvtest::random_bytes;
using kvtest::TempDir;

namespace {

constexpr std::size_t KiB = 1024;

void stream_set(kvstore::Store& store, std::string_view group, std::string_view key,
                std::string_view content, std::optional<kvstore::Clock::time_point> expires = {}) {
  kvstore::Metadata meta;
  meta.expires_at = expires;
  auto writer = store.begin_set(group, key, meta);
  for (std::size_t at = 0; at < content.size(); at += 64 * KiB) {
    writer.write(content.substr(at, 64 * KiB));
  }
  writer.commit();
}

std::string file_content(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The one value file of the store (fails the test if there is not exactly one).
std::filesystem::path only_value_file(const std::string& path) {
  const auto ids = blob_file_ids(path);
  REQUIRE(ids.size() == 1);
  return blob_directory(path) / std::to_string(*ids.begin());
}

}  // namespace

TEST_CASE_METHOD(
    kvtest::StoreOnFile,
    "streaming (files): a committed value is a file of its own, none of it in the database",
    "[blob][files]") {
  store.set("g", "plain", "v");
  CHECK_FALSE(std::filesystem::exists(blob_directory(path)));  // made by the first stream only

  const auto content = random_bytes(300 * KiB + 7, 1);
  stream_set(store, "g", "k", content);
  CHECK(file_content(only_value_file(path)) == content);
  CHECK(query_int(path, "SELECT count(*) FROM blob_chunks") == 0);
  CHECK(query_int(path, "SELECT in_file FROM blobs") == 1);
  CHECK(store.get("g", "k") == std::optional<std::string>(content));
  CHECK(store.stat("g", "k")->size == content.size());
}

TEST_CASE_METHOD(
    kvtest::StoreOnFile,
    "streaming (files): a value's file is deleted once the deletion of its row committed",
    "[blob][files]") {
  const auto content = random_bytes(200 * KiB, 2);
  const auto way =
      GENERATE(as<std::string>{}, "erase", "delete_group", "delete_prefix",
               "replaced by a streamed value", "expired and purged", "expired and read");
  INFO("deleted by " << way);
  const bool expiring = way.rfind("expired", 0) == 0;
  const auto expires_at = kvstore::Clock::now() + 100ms;
  stream_set(store, "g", "k", content, expiring ? std::optional(expires_at) : std::nullopt);
  const auto file = only_value_file(path);
  if (expiring) {
    // Waits for the clock, not for another thread; the row is left for the way under test.
    REQUIRE(kvtest::eventually([&] { return kvstore::Clock::now() > expires_at + 2ms; }));
  }
  auto remove = [&] {
    if (way == "erase") store.erase("g", "k");
    if (way == "delete_group") store.delete_group("g");
    if (way == "delete_prefix") store.delete_prefix("g");
    if (way == "replaced by a streamed value") stream_set(store, "g", "k", "new");
    if (way == "expired and purged") store.purge_expired();
    if (way == "expired and read") CHECK_FALSE(store.get("g", "k"));
  };

  if (way != "replaced by a streamed value") {  // a commit inside a transaction is refused
    CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction&) {
      remove();
      throw std::runtime_error("roll back");
    }),
                    std::runtime_error);
    CHECK(file_content(file) == content);
    CHECK(query_int(path, "SELECT count(*) FROM blobs") == 1);
    if (!expiring) CHECK(store.get("g", "k") == std::optional<std::string>(content));
  }

  remove();
  CHECK_FALSE(std::filesystem::exists(file));
  CHECK(leftovers(path) == 0);
  if (way == "replaced by a streamed value") {
    CHECK(store.get("g", "k") == std::optional<std::string>("new"));
  } else {
    CHECK(query_int(path, "SELECT count(*) FROM blobs") == 0);
  }
}

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming (files): a reader keeps delivering the version it opened",
                 "[blob][files][posix][unlink-open]") {
  const auto old = random_bytes(700 * KiB + 5, 3);
  stream_set(store, "g", "k", old);
  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  char first[1000];
  std::string got(first, reader->read(first));

  const auto change = GENERATE(as<std::string>{}, "erase", "replace");
  INFO(change);
  if (change == "erase") {
    REQUIRE(store.erase("g", "k"));
  } else {
    stream_set(store, "g", "k", random_bytes(700 * KiB + 5, 4));
  }
  REQUIRE(leftovers(path) == 0);  // the old file is gone from the directory already

  got += reader->read_all();
  CHECK(got.size() == old.size());
  CHECK((got == old));
}

TEST_CASE("streaming (files): opening reclaims value files no row records, and nothing else",
          "[blob][files]") {
  TempDir dir;
  const auto path = dir.file("s.db");
  const auto content = random_bytes(100 * KiB, 5);
  {
    kvstore::Store store(path, quiet());
    stream_set(store, "g", "k", content);
  }
  const auto kept = only_value_file(path);
  // What a process that died between committing a deletion and deleting the file leaves, and a
  // file that is not kvstore's.
  std::ofstream(blob_directory(path) / "987654") << "stray";
  std::ofstream(blob_directory(path) / "notes.txt") << "mine";

  kvstore::Store store(path, quiet());
  CHECK_FALSE(std::filesystem::exists(blob_directory(path) / "987654"));
  CHECK(std::filesystem::exists(blob_directory(path) / "notes.txt"));
  CHECK(file_content(kept) == content);
  CHECK(store.get("g", "k") == std::optional<std::string>(content));
  CHECK(leftovers(path) == 0);
}

TEST_CASE_METHOD(
    kvtest::StoreOnFile,
    "streaming (files): a value file cut short or missing is an error, never a short value",
    "[blob][files]") {
  const auto content = random_bytes(600 * KiB, 6);
  stream_set(store, "g", "k", content);
  const auto file = only_value_file(path);

  const auto damage = GENERATE(as<std::string>{}, "cut short", "missing");
  INFO(damage);
  if (damage == "cut short") {
    std::filesystem::resize_file(file, 100 * KiB);
  } else {
    std::filesystem::remove(file);
  }

  CHECK_THROWS_AS(store.get("g", "k"), kvstore::StorageError);
  if (damage == "cut short") {
    auto reader = store.open_reader("g", "k");
    REQUIRE(reader);
    CHECK_THROWS_AS(reader->read_all(), kvstore::StorageError);
  } else {
    CHECK_THROWS_AS(store.open_reader("g", "k"), kvstore::Error);
  }
  const auto meta = store.stat("g", "k");  // the record is intact
  REQUIRE(meta);
  CHECK(meta->size == content.size());

  const auto problems = store.check();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("g/k"));
}

TEST_CASE("streaming (files): reads by another connection during replacements never miss a file",
          "[blob][files]") {
  kvtest::Watchdog dog("reads racing replacements");
  TempDir dir;
  const auto path = dir.file("s.db");
  kvstore::Store writer_store(path, quiet());
  kvstore::Store reader_store(path, quiet());
  constexpr int kKeys = 40;
  // Version i of a key: i % 26 repeated, 20,000-20,006 bytes; each key its own file.
  const auto version = [](int i) {
    return std::string(20000 + i % 7, static_cast<char>('a' + i % 26));
  };
  const auto is_version = [](std::string_view value) {
    return value.size() >= 20000 && value.size() < 20007 &&
           value.find_first_not_of(value.front()) == std::string_view::npos;
  };
  auto write_version = [&](int key, int i) {
    auto writer = writer_store.begin_set("g", std::to_string(key));
    writer.write(version(i));
    writer.commit();
  };
  for (int key = 0; key < kKeys; ++key) write_version(key, 0);
  std::atomic<bool> done{false};
  std::thread replacing([&] {
    for (int i = 1; i <= 600; ++i) write_version(i % kKeys, i);
    done = true;
  });
  int reads = 0, failures = 0, wrong = 0;
  std::string first_failure;
  while (!done) {
    try {
      const auto value = reader_store.get("g", "7");
      wrong += !value || !is_version(*value);
      const auto all = reader_store.get_all("g");
      wrong += all.size() != kKeys;
      for (const auto& [key, v] : all) wrong += !is_version(v);
      reader_store.for_each("g", [&](std::string_view, std::string_view v) {
        wrong += !is_version(v);
        return true;
      });
      wrong += !is_version(reader_store.render("g", kvstore::Template{"{{7}}"}));
      ++reads;
    } catch (const kvstore::Error& e) {
      if (failures++ == 0) first_failure = e.what();
    }
  }
  replacing.join();
  INFO(first_failure);
  CHECK(failures == 0);
  CHECK(wrong == 0);
  CHECK(reads > 0);
}

TEST_CASE("streaming (files): stray entries in or instead of the value directory do not stop opens",
          "[blob][files]") {
  TempDir dir;
  const auto path = dir.file("s.db");
  { kvstore::Store store(path, quiet()); }
  std::vector<std::string> reports;
  auto options = quiet();
  options.on_error = [&](const std::string& message) { reports.push_back(message); };
  SECTION("a directory and a file that are not kvstore's, inside it") {
    std::filesystem::create_directories(blob_directory(path) / "12");  // a name like an id
    std::ofstream(blob_directory(path) / "notes.txt") << "mine";
    kvstore::Store store(path, options);
    auto writer = store.begin_set("g", "k");
    writer.write("value");
    writer.commit();
    CHECK(store.get("g", "k") == std::optional<std::string>("value"));
    CHECK(std::filesystem::is_directory(blob_directory(path) / "12"));
    CHECK(std::filesystem::exists(blob_directory(path) / "notes.txt"));
    CHECK(store.check().empty());
    CHECK(reports.empty());
  }
  SECTION("a regular file where the directory should be") {
    std::ofstream(blob_directory(path)) << "in the way";
    kvstore::Store store(path, options);  // the reclaim pass reports and the open goes on
    CHECK(reports.size() == 1);
    store.set("g", "plain", "v");
    CHECK(store.get("g", "plain") == std::optional<std::string>("v"));
    CHECK_THROWS_AS(store.begin_set("g", "k"), kvstore::StorageError);
    CHECK_FALSE(store.get("g", "k"));
  }
}
