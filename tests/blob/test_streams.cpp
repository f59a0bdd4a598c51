// Streaming values (blob.hpp): BlobWriter / BlobReader / stat on Store and ScopedStore.
// The write-sink conformance cases (commit publishes, abort discards, either order of the terminal
// calls, writes after them), the old value staying readable during a write, MISS vs ERROR,
// cancellation, concurrent writers and readers, metadata round-trips, events, and values of
// 0 bytes, 1 byte and 64 MiB checked by hash.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "blob/store_on_file.hpp"
#include "blob_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::blob_rows;
using kvtest::leftovers;
using kvtest::query_int;
using kvtest::quiet;
using kvtest::staged_pieces;
using kvtest::TempDir;

namespace {

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

kvstore::Metadata with_tag(std::string tag) {
  kvstore::Metadata meta;
  meta.tag = std::move(tag);
  return meta;
}

// A reproducible stream of pseudo-random bytes: the same seed gives the same bytes, however the
// caller slices them.
class RandomBytes {
 public:
  explicit RandomBytes(std::uint64_t seed) : rng_(seed) {}

  void fill(char* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (left_ == 0) {
        word_ = rng_();
        left_ = 8;
      }
      out[i] = static_cast<char>(word_ & 0xff);
      word_ >>= 8;
      --left_;
    }
  }

  std::string next(std::size_t n) {
    std::string out(n, '\0');
    fill(out.data(), n);
    return out;
  }

 private:
  std::mt19937_64 rng_;
  std::uint64_t word_ = 0;
  int left_ = 0;
};

std::string random_bytes(std::size_t n, std::uint64_t seed) { return RandomBytes(seed).next(n); }

// FNV-1a, 64 bit.
class Fnv1a {
 public:
  void add(std::string_view bytes) {
    for (const char c : bytes) {
      hash_ ^= static_cast<unsigned char>(c);
      hash_ *= 1099511628211ull;
    }
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

// Writes `content` in pieces whose sizes cycle through `sizes`.
void write_in_pieces(kvstore::BlobWriter& writer, std::string_view content,
                     const std::vector<std::size_t>& sizes) {
  std::size_t i = 0;
  while (!content.empty()) {
    const auto n = std::min(content.size(), sizes[i++ % sizes.size()]);
    writer.write(content.substr(0, n));
    content.remove_prefix(n);
  }
}

// Reads a reader to its end with read(span), the span sizes cycling through `sizes`.
std::string read_in_pieces(kvstore::BlobReader& reader, const std::vector<std::size_t>& sizes) {
  std::string out;
  std::vector<char> buffer(*std::max_element(sizes.begin(), sizes.end()));
  for (std::size_t i = 0;; ++i) {
    const auto want = sizes[i % sizes.size()];
    const auto n = reader.read(std::span<char>(buffer.data(), want));
    if (n > want) throw std::logic_error("read() returned more than the span holds");
    if (n == 0) break;
    out.append(buffer.data(), n);
  }
  return out;
}

// Reads everything left in a std::istream through read()/gcount().
std::string drain(std::istream& in, std::size_t piece = 4099) {
  std::string out;
  std::vector<char> buffer(piece);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    out.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return out;
}

std::string read_whole(kvstore::Store& store, std::string_view group, std::string_view key) {
  auto reader = store.open_reader(group, key);
  if (!reader) throw std::runtime_error("open_reader returned nullopt");
  return reader->read_all();
}

// Commits `content` under group/key through a BlobWriter.
void stream_set(kvstore::Store& store, std::string_view group, std::string_view key,
                std::string_view content, kvstore::Metadata meta = {}) {
  auto writer = store.begin_set(group, key, std::move(meta));
  write_in_pieces(writer, content, {64 * KiB});
  writer.commit();
}

// Events of `watcher` up to and including the one for group/key `sentinel_key`, which the test
// sets after the operations under test: everything those published comes before it.
std::vector<kvstore::Event> events_until(kvstore::Watcher& watcher, std::string_view sentinel_key) {
  std::vector<kvstore::Event> events;
  for (;;) {
    auto event = watcher.next(5s);
    if (!event) throw std::runtime_error("no sentinel event within 5 s");
    if (event->key == sentinel_key) return events;
    events.push_back(std::move(*event));
  }
}

// group/key is a MISS to every read: get, stat and open_reader all return nullopt.
void check_missing(kvstore::Store& store, std::string_view group, std::string_view key) {
  CHECK_FALSE(store.get(group, key));
  CHECK_FALSE(store.stat(group, key));
  CHECK_FALSE(store.open_reader(group, key));
}

// What the operations on group "g" published since `watcher` was opened: sets the sentinel key
// g/sentinel and returns the events before its own.
std::vector<kvstore::Event> published(kvstore::Store& store, kvstore::Watcher& watcher) {
  store.set("g", "sentinel", "");
  return events_until(watcher, "sentinel");
}

// A store on a file whose group "g" is watched from the start.
struct WatchedStore : kvtest::StoreOnFile {
  kvstore::Watcher watcher = store.watch("g");
  std::vector<kvstore::Event> published() { return ::published(store, watcher); }
};

// A store on a file holding the plain value g/k = "old".
struct StoreWithOldValue : kvtest::StoreOnFile {
  StoreWithOldValue() { store.set("g", "k", "old"); }
};

// For the operations that must leave g/k = "old" as it was and publish nothing: g is watched, and
// the revision noted, from after the old value was set.
struct WatchedOldValue : StoreWithOldValue {
  kvstore::Watcher watcher = store.watch("g");
  const std::uint64_t revision = store.revision();

  std::vector<kvstore::Event> published() { return ::published(store, watcher); }

  void check_old_value_kept() {
    CHECK(store.get("g", "k") == std::optional<std::string>("old"));
    CHECK(store.stat("g", "k")->tag == "");
    CHECK(store.revision() == revision);
  }
};

// Calls writer.commit() for each 'c' of `calls` and writer.abort() for each 'a', in order: after
// the first terminal call, none of them may throw.
void terminal_calls(kvstore::BlobWriter& writer, std::string_view calls) {
  for (const char call : calls) {
    if (call == 'c') {
      CHECK_NOTHROW(writer.commit());
    } else {
      CHECK_NOTHROW(writer.abort());
    }
  }
}

kvstore::Clock::time_point to_ms(kvstore::Clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}

}  // namespace

// ---- write-sink conformance ----

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming: commit publishes the value and its tag to open_reader, get and stat",
                 "[blob]") {
  const auto content = random_bytes(300 * KiB + 5, 1);  // more than one staging chunk

  auto writer = store.begin_set("files", "report.pdf", with_tag("application/pdf"));
  write_in_pieces(writer, content, {1000, 7, 65536});
  CHECK_FALSE(writer.committed());
  writer.commit();
  CHECK(writer.committed());

  auto reader = store.open_reader("files", "report.pdf");
  REQUIRE(reader);
  CHECK(reader->metadata().tag == "application/pdf");
  CHECK(reader->metadata().size == content.size());
  const auto read = reader->read_all();
  CHECK(read.size() == content.size());
  CHECK((read == content));

  const auto got = store.get("files", "report.pdf");
  REQUIRE(got);
  CHECK((*got == content));

  const auto meta = store.stat("files", "report.pdf");
  REQUIRE(meta);
  CHECK(meta->tag == "application/pdf");
  CHECK(meta->size == content.size());
  CHECK(meta->revision == store.revision());
  CHECK_FALSE(meta->expires_at);
  CHECK(leftovers(path) == 0);
}

TEST_CASE_METHOD(kvtest::StoreOnFile, "streaming: abort discards everything staged", "[blob]") {
  const auto revision = store.revision();

  auto writer = store.begin_set("g", "k", with_tag("t"));
  writer.write(random_bytes(600 * KiB, 2));  // stages chunks in the database
  writer.abort();
  CHECK_FALSE(writer.committed());

  check_missing(store, "g", "k");
  CHECK(store.count("g") == 0);
  CHECK(store.groups().empty());
  CHECK(store.revision() == revision);
  CHECK(blob_rows(path) == 0);
  CHECK(staged_pieces(path) == 0);
}

TEST_CASE_METHOD(WatchedStore, "streaming: abort then commit publishes nothing and does not throw",
                 "[blob]") {
  SECTION("on a new key") {
    auto writer = store.begin_set("g", "k");
    writer.write("staged bytes");
    writer.abort();
    CHECK_NOTHROW(writer.commit());
    CHECK_FALSE(writer.committed());
    check_missing(store, "g", "k");
  }
  SECTION("over an existing value") {
    store.set("g", "k", "old");
    CHECK(watcher.next(5s));
    auto writer = store.begin_set("g", "k");
    writer.write(random_bytes(300 * KiB, 3));
    writer.abort();
    CHECK_NOTHROW(writer.commit());
    CHECK_FALSE(writer.committed());
    CHECK(store.get("g", "k") == std::optional<std::string>("old"));
  }
  CHECK(published().empty());
  CHECK(blob_rows(path) == 0);
  CHECK(staged_pieces(path) == 0);
}

TEST_CASE("streaming: commit then abort keeps the value", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  auto writer = store.begin_set("g", "k", with_tag("v1"));
  writer.write("hello ");
  writer.write("world");
  writer.commit();
  CHECK_NOTHROW(writer.abort());
  CHECK(writer.committed());
  CHECK(store.get("g", "k") == std::optional<std::string>("hello world"));
  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->tag == "v1");
  CHECK(meta->size == 11);
  CHECK(read_whole(store, "g", "k") == "hello world");
}

TEST_CASE_METHOD(WatchedStore, "streaming: repeated terminal calls are safe", "[blob]") {
  auto writer = store.begin_set("g", "k");
  writer.write("value");
  SECTION("commit, commit, abort, abort") {
    writer.commit();
    const auto revision = store.revision();
    terminal_calls(writer, "caca");
    CHECK(writer.committed());
    CHECK(store.revision() == revision);
    CHECK(store.get("g", "k") == std::optional<std::string>("value"));
    const auto events = published();
    REQUIRE(events.size() == 1);
    CHECK(events[0].revision == revision);
  }
  SECTION("abort, abort, commit, commit") {
    const auto revision = store.revision();
    terminal_calls(writer, "aacc");
    CHECK_FALSE(writer.committed());
    CHECK(store.revision() == revision);
    CHECK_FALSE(store.get("g", "k"));
    CHECK(published().empty());
  }
  CHECK(leftovers(path) == 0);
}

TEST_CASE("streaming: write after abort or after commit throws InvalidArgument", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  store.set("g", "k", "old");

  SECTION("after abort") {
    auto writer = store.begin_set("g", "k");
    writer.write("new");
    writer.abort();
    CHECK_THROWS_AS(writer.write("more"), kvstore::InvalidArgument);
    CHECK_THROWS_AS(writer.write(""), kvstore::InvalidArgument);
    CHECK_NOTHROW(writer.commit());
    CHECK(store.get("g", "k") == std::optional<std::string>("old"));
  }
  SECTION("after commit") {
    auto writer = store.begin_set("g", "k");
    writer.write("new");
    writer.commit();
    CHECK_THROWS_AS(writer.write("more"), kvstore::InvalidArgument);
    CHECK_THROWS_AS(writer.write(std::string(300 * KiB, 'x')), kvstore::InvalidArgument);
    CHECK_NOTHROW(writer.commit());
    CHECK(store.get("g", "k") == std::optional<std::string>("new"));
    CHECK(store.stat("g", "k")->size == 3);
  }
  auto writer = store.begin_set("grp", "key");
  writer.abort();
  CHECK_THROWS_AS(writer.write("x"), kvstore::InvalidArgument);
  // The message says it is kvstore's, and which write it refused.
  CHECK_THROWS_WITH(writer.write("x"), Catch::StartsWith("kvstore: "));
  CHECK_THROWS_WITH(writer.write("x"), Catch::Contains("grp") && Catch::Contains("key"));
}

TEST_CASE_METHOD(WatchedStore, "streaming: the destructor of an uncommitted writer aborts",
                 "[blob]") {
  SECTION("on a new key") {
    {
      auto writer = store.begin_set("g", "k", with_tag("t"));
      writer.write(random_bytes(600 * KiB, 4));
    }
    check_missing(store, "g", "k");
  }
  SECTION("over an existing streamed value") {
    const auto old = random_bytes(300 * KiB, 5);
    stream_set(store, "g", "k", old, with_tag("old"));
    CHECK(watcher.next(5s));
    {
      auto writer = store.begin_set("g", "k", with_tag("new"));
      writer.write(random_bytes(600 * KiB, 6));
    }
    const auto meta = store.stat("g", "k");
    REQUIRE(meta);
    CHECK(meta->tag == "old");
    CHECK((read_whole(store, "g", "k") == old));
  }
  SECTION("a writer moved-from and then assigned over") {
    auto writer = store.begin_set("g", "k");
    writer.write(random_bytes(300 * KiB, 7));
    writer = store.begin_set("g", "other");  // the first, uncommitted write is aborted
    writer.write("other");
    writer.commit();
    CHECK_FALSE(store.get("g", "k"));
    CHECK(store.get("g", "other") == std::optional<std::string>("other"));
    CHECK(watcher.next(5s));
  }
  CHECK(published().empty());
  CHECK(leftovers(path) == 0);
  CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 0);
}

// ---- isolation of an uncommitted write ----

TEST_CASE("streaming: the old value stays readable during an uncommitted write", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  const auto old_streamed = random_bytes(700 * KiB + 3, 8);
  const auto next = random_bytes(900 * KiB + 1, 9);

  SECTION("old value written with set") {
    store.set("g", "k", "old");
    auto writer = store.begin_set("g", "k", with_tag("new"));
    write_in_pieces(writer, next, {100 * KiB});  // several chunks staged in the database
    CHECK(store.get("g", "k") == std::optional<std::string>("old"));
    CHECK(read_whole(store, "g", "k") == "old");
    const auto meta = store.stat("g", "k");
    REQUIRE(meta);
    CHECK(meta->tag == "");
    CHECK(meta->size == 3);
    CHECK(store.count("g") == 1);
    CHECK(store.get_all("g") == std::map<std::string, std::string>{{"k", "old"}});
    writer.commit();
  }
  SECTION("old value streamed") {
    stream_set(store, "g", "k", old_streamed, with_tag("old"));
    auto before = store.open_reader("g", "k");  // opened before the write began
    REQUIRE(before);
    auto writer = store.begin_set("g", "k", with_tag("new"));
    write_in_pieces(writer, next, {100 * KiB});
    auto during = store.open_reader("g", "k");  // opened while it is staged
    REQUIRE(during);
    CHECK(during->metadata().tag == "old");
    CHECK((during->read_all() == old_streamed));
    CHECK((before->read_all() == old_streamed));
    CHECK((store.get("g", "k") == std::optional<std::string>(old_streamed)));
    CHECK(store.stat("g", "k")->tag == "old");
    writer.commit();
  }
  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->tag == "new");
  CHECK(meta->size == next.size());
  CHECK((read_whole(store, "g", "k") == next));
}

// ---- MISS vs ERROR ----

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming: a missing or expired key is a MISS: nullopt from open_reader and stat",
                 "[blob]") {
  CHECK_FALSE(store.open_reader("g", "missing"));
  CHECK_FALSE(store.stat("g", "missing"));
  CHECK_FALSE(store.open_reader("missing-group", "k"));

  SECTION("expired plain value") { store.set_with_ttl("g", "k", "v", 1ms); }
  SECTION("expired streamed value") {
    kvstore::Metadata meta;
    meta.expires_at = kvstore::Clock::now() + 200ms;
    auto writer = store.begin_set("g", "k", meta);
    writer.write(random_bytes(300 * KiB, 10));
    writer.commit();
  }
  SECTION("erased streamed value") {
    stream_set(store, "g", "k", random_bytes(300 * KiB, 11));
    CHECK(store.erase("g", "k"));
  }
  // Seen by a read-only store first: it must hide the expired key without deleting it.
  {
    auto options = quiet();
    options.read_only = true;
    kvstore::Store reader_store(path, options);
    REQUIRE(kvtest::eventually([&] { return !reader_store.stat("g", "k"); }));
    check_missing(reader_store, "g", "k");
  }
  check_missing(store, "g", "k");
  CHECK(store.count("g") == 0);
}

namespace {

// Overwrites, with garbage, every page of the b-trees of table kv (the table and its indexes)
// of a closed database file. Page 1 (the schema) stays intact, so the file still opens.
void corrupt_kv_pages(const std::string& path) {
  std::vector<std::int64_t> pages;
  {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("raw open failed");
    }
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT rootpage FROM sqlite_master WHERE tbl_name = 'kv' AND rootpage > 1",
                       -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW)
      pages.push_back(sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(db);
  }
  if (pages.empty()) throw std::runtime_error("no kv pages found");
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  unsigned char header[18];
  file.read(reinterpret_cast<char*>(header), sizeof header);
  if (!file) throw std::runtime_error("cannot read the database header");
  std::size_t page_size = (static_cast<std::size_t>(header[16]) << 8) | header[17];
  if (page_size == 1) page_size = 65536;
  std::string garbage(page_size, '\0');
  std::mt19937 rng(42);
  for (auto& c : garbage) c = static_cast<char>(rng());
  for (const auto page : pages) {
    file.seekp(static_cast<std::streamoff>((page - 1) * static_cast<std::int64_t>(page_size)));
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  file.flush();
  if (!file) throw std::runtime_error("cannot write garbage");
}

}  // namespace

TEST_CASE("streaming: a storage failure is an ERROR: open_reader and stat throw, never nullopt",
          "[blob]") {
  TempDir dir;
  const auto path = dir.file("corrupt.db");
  {
    kvstore::Store store(path, quiet());
    stream_set(store, "g", "streamed", random_bytes(300 * KiB, 12), with_tag("t"));
    store.set("g", "plain", "v");
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));  // closed and checkpointed
  corrupt_kv_pages(path);

  std::unique_ptr<kvstore::Store> store;
  try {
    store = std::make_unique<kvstore::Store>(path, quiet());
  } catch (const kvstore::Error& e) {
    FAIL("the corrupted file did not open, the test cannot run: " << e.what());
  }
  for (const char* key : {"streamed", "plain", "missing"}) {
    INFO("key " << key);
    CHECK_THROWS_AS(store->open_reader("g", key), kvstore::Error);
    CHECK_THROWS_AS(store->stat("g", key), kvstore::Error);
  }
}

TEST_CASE("streaming: a reader or writer that outlives its Store throws Error", "[blob]") {
  std::optional<kvstore::BlobReader> reader;
  std::optional<kvstore::BlobWriter> writer;
  std::string content;
  SECTION("reader of a streamed value spanning several chunks, partly read") {
    content = random_bytes(700 * KiB, 13);
    auto store = std::make_unique<kvstore::Store>(":memory:", quiet());
    stream_set(*store, "g", "k", content);
    reader = store->open_reader("g", "k");
    REQUIRE(reader);
    char first[100];
    REQUIRE(reader->read(first) == sizeof first);
    CHECK(std::string_view(first, sizeof first) == std::string_view(content).substr(0, 100));
  }
  SECTION("reader of a small streamed value, unread") {
    content = "small";
    auto store = std::make_unique<kvstore::Store>(":memory:", quiet());
    stream_set(*store, "g", "k", content);
    reader = store->open_reader("g", "k");
    REQUIRE(reader);
  }
  SECTION("writer") {
    auto store = std::make_unique<kvstore::Store>(":memory:", quiet());
    writer = store->begin_set("g", "k");
    writer->write("staged");
  }

  // The Store is gone now.
  if (reader) {
    bool threw = false;
    try {
      char buffer[4096];
      std::size_t total = 0;
      while (const auto n = reader->read(buffer)) {
        total += n;
        if (total > content.size()) break;
      }
    } catch (const kvstore::Error& e) {
      threw = true;
      CHECK(std::string(e.what()).rfind("kvstore: ", 0) == 0);
    }
    CHECK(threw);
  }
  if (writer) {
    CHECK_THROWS_AS(writer->commit(), kvstore::Error);
    CHECK_FALSE(writer->committed());
    CHECK_NOTHROW(writer->abort());
    writer.reset();  // the destructor must not crash either
  }
}

TEST_CASE("streaming: every write of a writer whose Store was destroyed throws Error", "[blob]") {
  const auto backend = kvtest::each_backend();
  auto store = std::make_unique<kvstore::Store>(backend.path(), quiet());
  auto writer = store->begin_set("g", "k");
  writer.write("staged");
  store.reset();
  // A few bytes would only fill a ":memory:" writer's buffer: the write throws all the same.
  CHECK_THROWS_AS(writer.write("more"), kvstore::Error);
  CHECK_THROWS_AS(writer.commit(), kvstore::Error);
  CHECK_FALSE(writer.committed());
}

TEST_CASE("streaming: a reader of a plain value whose Store was destroyed throws Error", "[blob]") {
  std::optional<kvstore::BlobReader> reader;
  {
    kvstore::Store store(":memory:", quiet());
    store.set("g", "k", "plain");
    reader = store.open_reader("g", "k");
    REQUIRE(reader);
  }
  // blob.hpp: readers must not outlive their Store, "calls then throw Error".
  char buffer[16];
  CHECK_THROWS_AS(reader->read(buffer), kvstore::Error);
}

TEST_CASE("streaming: begin_set on a read-only store throws StorageError", "[blob]") {
  TempDir dir;
  const auto path = dir.file("ro.db");
  {
    kvstore::Store store(path, quiet());
    store.set("g", "k", "old");
  }
  auto options = quiet();
  options.read_only = true;
  kvstore::Store store(path, options);
  CHECK_THROWS_AS(store.begin_set("g", "k"), kvstore::StorageError);
  CHECK(store.get("g", "k") == std::optional<std::string>("old"));
  CHECK(blob_rows(path) == 0);
}

TEST_CASE_METHOD(WatchedOldValue,
                 "streaming: a commit inside a rolled-back transaction publishes nothing",
                 "[blob]") {
  {
    auto writer = store.begin_set("g", "k", with_tag("new"));
    writer.write(random_bytes(300 * KiB, 30));
    CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction&) {
      writer.commit();
      throw std::runtime_error("roll back");
    }),
                    std::runtime_error);
    check_old_value_kept();
    CHECK_FALSE(writer.committed());  // what it committed was rolled back
  }                                   // the writer is gone: nothing it staged may stay behind
  CHECK(published().empty());
  CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 0);
  CHECK(leftovers(path) == 0);
}

// ---- cancellation ----

TEST_CASE_METHOD(WatchedOldValue,
                 "streaming: a stop requested before commit makes commit throw and publish nothing",
                 "[blob]") {
  std::stop_source stop;
  auto writer = store.begin_set("g", "k", with_tag("new"), stop.get_token());
  writer.write(random_bytes(600 * KiB, 14));
  stop.request_stop();
  CHECK_THROWS_AS(writer.commit(), kvstore::Error);
  CHECK_FALSE(writer.committed());

  check_old_value_kept();
  CHECK(read_whole(store, "g", "k") == "old");
  CHECK(published().empty());
  CHECK(blob_rows(path) == 0);
  CHECK(staged_pieces(path) == 0);
}

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming: write after a stop request throws and discards the staged data",
                 "[blob]") {
  std::stop_source stop;
  auto writer = store.begin_set("g", "k", {}, stop.get_token());
  writer.write(random_bytes(600 * KiB, 15));
  stop.request_stop();
  CHECK_THROWS_AS(writer.write("more"), kvstore::Error);
  CHECK_THROWS_AS(writer.write("even more"), kvstore::Error);
  // Whatever commit does now (throw again, or nothing: the write was discarded), it publishes
  // nothing.
  try {
    writer.commit();
  } catch (const kvstore::Error&) {
  }
  CHECK_FALSE(writer.committed());
  check_missing(store, "g", "k");
  CHECK(blob_rows(path) == 0);
  CHECK(staged_pieces(path) == 0);
}

TEST_CASE("streaming: a stop token that is never stopped does not disturb the write", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  std::stop_source stop;
  auto writer = store.begin_set("g", "k", {}, stop.get_token());
  writer.write("abc");
  writer.commit();
  stop.request_stop();  // after the commit: too late to matter
  CHECK(writer.committed());
  CHECK(store.get("g", "k") == std::optional<std::string>("abc"));
}

// ---- concurrency ----

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming: concurrent writers to one key: the last commit wins, each value whole",
                 "[blob]") {
  constexpr int kWriters = 4;
  constexpr int kRounds = 3;
  const std::size_t size = 600 * KiB + 17;  // three staging chunks
  std::vector<std::string> contents;
  for (int i = 0; i < kWriters; ++i) contents.push_back(random_bytes(size, 100 + i));

  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    auto watcher = store.watch("g", "*", {}, 64);
    std::latch start(kWriters);
    std::mutex errors_mutex;
    std::vector<std::string> errors;
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
      threads.emplace_back([&, i] {
        try {
          start.arrive_and_wait();
          auto writer = store.begin_set("g", "k", with_tag("writer-" + std::to_string(i)));
          write_in_pieces(writer, contents[i], {40 * KiB + static_cast<std::size_t>(i)});
          writer.commit();
          if (!writer.committed()) throw std::runtime_error("not committed");
        } catch (const std::exception& e) {
          std::lock_guard lock(errors_mutex);
          errors.push_back("writer " + std::to_string(i) + ": " + e.what());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& error : errors) FAIL_CHECK(error);

    const auto events = published(store, watcher);
    REQUIRE(events.size() == kWriters);
    std::uint64_t last = 0;
    for (const auto& event : events) {
      CHECK(event.type == kvstore::EventType::set);
      CHECK(event.key == "k");
      CHECK(event.revision > last);  // commit order
      last = event.revision;
    }

    const auto meta = store.stat("g", "k");
    REQUIRE(meta);
    CHECK(meta->revision == last);
    CHECK(meta->size == size);
    REQUIRE(meta->tag.rfind("writer-", 0) == 0);
    const auto winner = std::stoi(meta->tag.substr(7));
    REQUIRE(winner >= 0);
    REQUIRE(winner < kWriters);
    auto reader = store.open_reader("g", "k");
    REQUIRE(reader);
    CHECK(reader->metadata().tag == meta->tag);
    CHECK((reader->read_all() == contents[winner]));
    CHECK((store.get("g", "k") == std::optional<std::string>(contents[winner])));
    // The replaced values are gone from the staging tables.
    CHECK(blob_rows(path) == 1);
    CHECK(leftovers(path) == 0);
  }
}

TEST_CASE("streaming: a reader during a replace delivers the old version whole or throws",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  const auto old = random_bytes(700 * KiB + 11, 16);  // several chunks
  const auto next = random_bytes(700 * KiB + 11, 17);
  const std::string old_plain = "old plain value";

  const bool plain = GENERATE(false, true);
  const auto replace = GENERATE(as<std::string>{}, "streamed commit", "set", "erase", "twice");
  INFO((plain ? "plain" : "streamed") << " old value, replaced by " << replace);
  if (plain) {
    store.set("g", "k", old_plain);
  } else {
    stream_set(store, "g", "k", old, with_tag("old"));
  }
  const std::string& expected = plain ? old_plain : old;

  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  const auto opened = reader->metadata();
  std::string got;
  char first[10];
  got.append(first, reader->read(first));

  if (replace == "streamed commit") {
    stream_set(store, "g", "k", next, with_tag("new"));
  } else if (replace == "set") {
    store.set("g", "k", "new");
  } else if (replace == "erase") {
    CHECK(store.erase("g", "k"));
  } else {
    stream_set(store, "g", "k", next, with_tag("new"));
    stream_set(store, "g", "k", old, with_tag("old again"));
  }

  bool threw = false;
  try {
    got += read_in_pieces(*reader, {4093, 65537, 1});
  } catch (const kvstore::Error& e) {
    threw = true;
    INFO(e.what());
    CHECK(std::string(e.what()).rfind("kvstore: ", 0) == 0);
  }
  // A streamed value lives in a file of its own on a file store, which keeps delivering the
  // version it opened, and in the database on a ":memory:" one, which throws once that version's
  // rows are deleted: at once by an erase or a streamed replacement, at the next purge after a
  // plain `set` (blob.hpp).
  if (!plain && backend.is_file()) CHECK_FALSE(threw);
  if (!plain && backend.is_memory()) CHECK(threw == (replace != "set"));
  // Never a mix: what was delivered is the old version, whole or (if it threw) a prefix of it.
  CHECK(reader->metadata().revision == opened.revision);
  CHECK(reader->metadata().tag == opened.tag);
  if (threw) {
    CHECK(got.size() <= expected.size());
    CHECK((std::string_view(expected).substr(0, got.size()) == got));
  } else {
    CHECK(got.size() == expected.size());
    CHECK((got == expected));
  }
}

TEST_CASE("streaming: on :memory:, a reader of a value a plain set replaced throws after the purge",
          "[blob]") {
  // In memory a streamed value is in chunk rows; a plain set leaves them to the purge pass.
  kvstore::Store store(":memory:", quiet());
  const auto old = random_bytes(700 * KiB, 20);
  stream_set(store, "g", "k", old);
  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  char first[10];
  REQUIRE(reader->read(first) == sizeof first);
  store.set("g", "k", "plain");
  store.purge_expired();
  CHECK_THROWS_AS(reader->read_all(), kvstore::Error);
  CHECK(store.get("g", "k") == "plain");
}

TEST_CASE("streaming: a std::istream reader during a replace sets badbit and read() rethrows",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  const auto old = random_bytes(700 * KiB, 18);
  stream_set(store, "g", "k", old);
  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  auto& in = reader->stream();
  std::string got(100, '\0');
  in.read(got.data(), 100);
  REQUIRE(in.gcount() == 100);
  stream_set(store, "g", "k", random_bytes(700 * KiB, 19));

  got += drain(in);
  // On a file the value's own file keeps delivering the old version; in the database it throws.
  CHECK(in.bad() == backend.is_memory());
  if (in.bad()) {
    char buffer[16];
    CHECK_THROWS_AS(reader->read(buffer), kvstore::Error);
    CHECK(got.size() < old.size());
    CHECK((std::string_view(old).substr(0, got.size()) == got));
  } else {
    CHECK(in.eof());
    CHECK((got == old));
  }
}

TEST_CASE("streaming: readers racing a replacing writer never see a mix of versions", "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  constexpr int kVersions = 4;
  std::vector<std::string> versions;
  for (int i = 0; i < kVersions; ++i) versions.push_back(random_bytes(520 * KiB + i, 200 + i));
  stream_set(store, "g", "k", versions[0], with_tag("0"));

  std::atomic<bool> done{false};
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  std::atomic<int> whole{0}, interrupted{0};
  auto fail = [&](std::string message) {
    std::lock_guard lock(errors_mutex);
    errors.push_back(std::move(message));
  };

  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      try {
        // At least a few reads, and go on while the writer writes.
        for (int n = 0; n < 5 || !done; ++n) {
          auto reader = store.open_reader("g", "k");
          if (!reader) return fail("open_reader returned nullopt");
          const auto version = std::stoi(reader->metadata().tag);
          const auto& expected = versions.at(static_cast<std::size_t>(version));
          std::string got;
          try {
            got = read_in_pieces(*reader, {64 * KiB + static_cast<std::size_t>(r)});
          } catch (const kvstore::Error&) {
            ++interrupted;
            if (std::string_view(expected).substr(0, got.size()) != got) {
              return fail("an interrupted read delivered bytes of another version");
            }
            continue;
          }
          ++whole;
          if (got != expected) return fail("a whole read does not match its version's bytes");
        }
      } catch (const std::exception& e) {
        fail(std::string("reader: ") + e.what());
      }
    });
  }
  try {
    for (int i = 1; i <= 24; ++i) {
      const auto version = i % kVersions;
      stream_set(store, "g", "k", versions[version], with_tag(std::to_string(version)));
    }
  } catch (const std::exception& e) {
    fail(std::string("writer: ") + e.what());
  }
  done = true;
  for (auto& thread : readers) thread.join();
  for (const auto& error : errors) FAIL_CHECK(error);
  CHECK(whole + interrupted >= 10);
}

// ---- stat and metadata ----

TEST_CASE("streaming: stat of a value written with set", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  const std::string value("bytes\0with\xffnul", 14);
  const auto before = kvstore::Clock::now();
  store.set("g", "k", value);
  const auto after = kvstore::Clock::now();
  const auto revision = store.revision();

  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->tag == "");
  CHECK(meta->size == value.size());
  CHECK(meta->revision == revision);
  CHECK(meta->revision > 0);
  CHECK(meta->last_modified >= to_ms(before));
  CHECK(meta->last_modified <= after);
  CHECK_FALSE(meta->expires_at);

  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  CHECK(reader->metadata().size == value.size());
  CHECK(reader->metadata().revision == revision);
  CHECK(reader->read_all() == value);

  SECTION("a later set gives a later revision") {
    store.set("other", "x", "1");
    store.set("g", "k", "");
    const auto again = store.stat("g", "k");
    REQUIRE(again);
    CHECK(again->size == 0);
    CHECK(again->revision == store.revision());
    CHECK(again->revision > revision);
  }
  SECTION("set_with_ttl shows its expiry") {
    const auto t0 = kvstore::Clock::now();
    store.set_with_ttl("g", "k", "v", 1h);
    const auto t1 = kvstore::Clock::now();
    const auto ttl = store.stat("g", "k");
    REQUIRE(ttl);
    REQUIRE(ttl->expires_at);
    CHECK(*ttl->expires_at >= to_ms(t0) + 1h);
    CHECK(*ttl->expires_at <= t1 + 1h);
  }
  SECTION("a streamed value replaced by set loses its tag and TTL") {
    kvstore::Metadata streamed;
    streamed.tag = "etag-1";
    streamed.expires_at = kvstore::Clock::now() + 1h;
    stream_set(store, "g", "k", random_bytes(300 * KiB, 20), streamed);
    REQUIRE(store.stat("g", "k")->tag == "etag-1");
    store.set("g", "k", "plain");
    const auto replaced = store.stat("g", "k");
    REQUIRE(replaced);
    CHECK(replaced->tag == "");
    CHECK(replaced->size == 5);
    CHECK_FALSE(replaced->expires_at);
    CHECK(read_whole(store, "g", "k") == "plain");
  }
}

TEST_CASE("streaming: stat of a streamed value: size, revision, last_modified", "[blob]") {
  kvstore::Store store(":memory:", quiet());
  store.set("g", "k", "old");
  const auto old_revision = store.revision();
  const auto content = random_bytes(256 * KiB + 1, 21);

  auto writer = store.begin_set("g", "k", with_tag("t"));
  writer.write(content);
  CHECK(store.revision() == old_revision);  // staging is not a committed mutation
  const auto before = kvstore::Clock::now();
  writer.commit();
  const auto after = kvstore::Clock::now();

  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->size == content.size());
  CHECK(meta->revision == store.revision());
  CHECK(meta->revision > old_revision);
  CHECK(meta->last_modified >= to_ms(before));
  CHECK(meta->last_modified <= after);
  CHECK_FALSE(meta->expires_at);
}

TEST_CASE("streaming: metadata round-trips: a tag of arbitrary bytes", "[blob]") {
  TempDir dir;
  const auto path = dir.file("s.db");
  std::string tag("\0\x01\xff\xfe\"'%_*:\n", 11);
  tag += "\xc3\x28 not utf-8, then utf-8: \xe2\x82\xac";
  tag += std::string(5000, 'T');
  {
    kvstore::Store store(path, quiet());
    stream_set(store, "g", "k", "v", with_tag(tag));
    CHECK(store.stat("g", "k")->tag == tag);
    auto reader = store.open_reader("g", "k");
    REQUIRE(reader);
    CHECK(reader->metadata().tag == tag);
    SECTION("an empty tag") {
      stream_set(store, "g", "k", "v", with_tag(""));
      CHECK(store.stat("g", "k")->tag == "");
      tag.clear();
    }
  }
  kvstore::Store reopened(path, quiet());
  const auto meta = reopened.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->tag == tag);
}

TEST_CASE("streaming: metadata round-trips: expires_at at millisecond precision, then expiry",
          "[blob]") {
  kvstore::Store store(":memory:", quiet());

  // A time with a sub-millisecond part, which the store keeps to the millisecond.
  const auto expires = kvstore::Clock::now() + 1h + std::chrono::microseconds(123456);
  kvstore::Metadata meta;
  meta.tag = "ttl";
  meta.expires_at = expires;
  meta.size = 999;                                         // ignored
  meta.revision = 123456;                                  // ignored
  meta.last_modified = kvstore::Clock::time_point{} + 1s;  // ignored
  stream_set(store, "g", "long", "value", meta);
  const auto stat = store.stat("g", "long");
  REQUIRE(stat);
  REQUIRE(stat->expires_at);
  CHECK(*stat->expires_at == to_ms(expires));
  CHECK(stat->size == 5);
  CHECK(stat->revision == store.revision());
  CHECK(stat->last_modified > kvstore::Clock::time_point{} + 1s);
  auto reader = store.open_reader("g", "long");
  REQUIRE(reader);
  REQUIRE(reader->metadata().expires_at);
  CHECK(*reader->metadata().expires_at == to_ms(expires));

  // A short TTL: the key is gone once it passes.
  kvstore::Metadata brief;
  brief.expires_at = kvstore::Clock::now() + 200ms;
  stream_set(store, "g", "short", random_bytes(300 * KiB, 22), brief);
  CHECK(kvtest::eventually([&] { return !store.stat("g", "short"); }));
  CHECK_FALSE(store.open_reader("g", "short"));
  CHECK_FALSE(store.get("g", "short"));
  CHECK(store.count("g") == 1);
  CHECK(store.get_all("g").count("short") == 0);
  CHECK(store.stat("g", "long"));

  SECTION("a streamed write without expires_at clears an earlier TTL") {
    store.set_with_ttl("g", "long", "v", 1h);
    stream_set(store, "g", "long", "forever");
    const auto cleared = store.stat("g", "long");
    REQUIRE(cleared);
    CHECK_FALSE(cleared->expires_at);
  }
}

TEST_CASE_METHOD(StoreWithOldValue,
                 "streaming: begin_set with expires_at not in the future throws InvalidArgument",
                 "[blob]") {
  kvstore::Metadata meta;
  SECTION("an hour ago") { meta.expires_at = kvstore::Clock::now() - 1h; }
  SECTION("the epoch") { meta.expires_at = kvstore::Clock::time_point{}; }
  CHECK_THROWS_AS(store.begin_set("g", "k", meta), kvstore::InvalidArgument);
  CHECK(store.get("g", "k") == std::optional<std::string>("old"));
  CHECK(blob_rows(path) == 0);
}

// ---- reading ----

TEST_CASE("streaming: read(span) in odd chunk sizes and std::istream deliver the same bytes",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  const auto content = random_bytes(700 * KiB + 13, 23);
  auto writer = store.begin_set("g", "k");
  write_in_pieces(writer, content, {1, 7, 4093, 65537, 300001, 3});
  writer.commit();
  store.set("g", "plain", content.substr(0, 100001));

  for (const char* key : {"k", "plain"}) {
    INFO("key " << key);
    const auto& expected = std::string(key) == "k" ? content : content.substr(0, 100001);
    SECTION(std::string("read(span) ") + key) {
      auto reader = store.open_reader("g", key);
      REQUIRE(reader);
      const auto got = read_in_pieces(*reader, {1, 7, 4093, 65537, 3, 262145, 262143});
      CHECK(got.size() == expected.size());
      CHECK((got == expected));
      char more[10];
      CHECK(reader->read(more) == 0);  // stays at the end
    }
    SECTION(std::string("stream() ") + key) {
      auto reader = store.open_reader("g", key);
      REQUIRE(reader);
      auto& in = reader->stream();
      const auto got = drain(in, 5003);
      CHECK_FALSE(in.bad());
      CHECK(in.eof());
      CHECK(got.size() == expected.size());
      CHECK((got == expected));
    }
    SECTION(std::string("istreambuf_iterator ") + key) {
      auto reader = store.open_reader("g", key);
      REQUIRE(reader);
      const std::string got{std::istreambuf_iterator<char>(reader->stream()),
                            std::istreambuf_iterator<char>()};
      CHECK((got == expected));
    }
    SECTION(std::string("read() then stream() share the position ") + key) {
      auto reader = store.open_reader("g", key);
      REQUIRE(reader);
      std::string got(1001, '\0');
      REQUIRE(reader->read(std::span<char>(got.data(), got.size())) == got.size());
      got += drain(reader->stream(), 70001);
      std::vector<char> tail(3);
      CHECK(reader->read(tail) == 0);
      CHECK((got == expected));
    }
    SECTION(std::string("read_all after a partial read ") + key) {
      auto reader = store.open_reader("g", key);
      REQUIRE(reader);
      std::string got(300 * KiB, '\0');
      const auto n = reader->read(std::span<char>(got.data(), got.size()));
      got.resize(n);
      got += reader->read_all();
      CHECK((got == expected));
    }
  }
}

// ---- events ----

TEST_CASE("streaming: a commit publishes exactly one set event with the value's revision",
          "[blob]") {
  kvstore::Store store(":memory:", quiet());
  store.set("g", "before", "x");
  auto watcher = store.watch("g");
  auto key_watcher = store.watch("g", "k");
  std::vector<kvstore::Event> callback_events;
  auto subscription = store.on_change([&](const kvstore::Event& e) {
    if (e.key == "k") callback_events.push_back(e);
  });

  auto writer = store.begin_set("g", "k", with_tag("t"));
  writer.write("hello");
  writer.write(", ");
  writer.write("world");
  CHECK_FALSE(watcher.try_next());  // nothing before the commit
  writer.commit();
  writer.commit();
  writer.abort();
  const auto events = published(store, watcher);
  REQUIRE(events.size() == 1);
  const auto& event = events[0];
  CHECK(event.type == kvstore::EventType::set);
  CHECK(event.group == "g");
  CHECK(event.key == "k");
  CHECK(event.value == "hello, world");
  CHECK_FALSE(event.external);
  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(event.revision == meta->revision);

  const auto own = key_watcher.next(5s);
  REQUIRE(own);
  CHECK(own->revision == meta->revision);
  CHECK_FALSE(key_watcher.try_next());
  REQUIRE(callback_events.size() == 1);
  CHECK(callback_events[0].revision == meta->revision);

  const auto logged = store.changes_since(meta->revision - 1);
  REQUIRE_FALSE(logged.empty());
  CHECK(logged[0].key == "k");
  CHECK(logged[0].type == kvstore::EventType::set);
  CHECK(logged[0].revision == meta->revision);
  CHECK(logged[0].value == std::nullopt);  // the log does not carry streamed values
}

TEST_CASE("streaming: the set event of a value over 64 KiB holds no value, never an empty one",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  auto watcher = store.watch("g");
  auto writer = store.begin_set("g", "big");
  writer.write(std::string(64 * 1024 + 1, 'x'));
  writer.commit();
  auto small = store.begin_set("g", "small");
  small.write(std::string(64 * 1024, 'y'));
  small.commit();
  const auto events = published(store, watcher);
  REQUIRE(events.size() == 2);
  CHECK(events[0].value == std::nullopt);
  CHECK(events[1].value == std::string(64 * 1024, 'y'));
}

// ---- a streamed value is a value like any other ----

TEST_CASE_METHOD(kvtest::StoreOnFile,
                 "streaming: count, groups, get_all, for_each, erase treat streamed values as any",
                 "[blob]") {
  const auto big = random_bytes(600 * KiB + 1, 24);
  store.set("files", "a-plain", "plain");
  stream_set(store, "files", "b-streamed", big, with_tag("t"));
  stream_set(store, "files", "c-empty", "");
  stream_set(store, "other", "k", "other");

  CHECK(store.count("files") == 3);
  CHECK(store.count_all() == 4);
  CHECK(store.groups() == std::vector<std::string>{"files", "other"});
  const auto all = store.get_all("files");
  REQUIRE(all.size() == 3);
  CHECK(all.at("a-plain") == "plain");
  CHECK((all.at("b-streamed") == big));
  CHECK(all.at("c-empty") == "");
  std::map<std::string, std::string> visited;
  store.for_each("files", [&](std::string_view key, std::string_view value) {
    visited.emplace(key, value);
    return true;
  });
  CHECK((visited == all));
  CHECK((store.get("files", "b-streamed") == std::optional<std::string>(big)));

  SECTION("erase is idempotent") {
    CHECK(store.erase("files", "b-streamed"));
    CHECK_FALSE(store.erase("files", "b-streamed"));
    check_missing(store, "files", "b-streamed");
    CHECK(store.count("files") == 2);
    CHECK(store.erase("files", "c-empty"));
    CHECK_FALSE(store.erase("files", "c-empty"));
    CHECK(store.count("files") == 1);
    CHECK(blob_rows(path) == 1);  // other/k
    CHECK(leftovers(path) == 0);
  }
  SECTION("delete_group") {
    CHECK(store.delete_group("files") == 3);
    CHECK(store.count("files") == 0);
    CHECK_FALSE(store.stat("files", "b-streamed"));
    CHECK(store.groups() == std::vector<std::string>{"other"});
    CHECK(blob_rows(path) == 1);
    CHECK(leftovers(path) == 0);
  }
  SECTION("delete_prefix") {
    CHECK(store.delete_prefix("") == 4);
    CHECK(store.groups().empty());
    CHECK(blob_rows(path) == 0);
    CHECK(staged_pieces(path) == 0);
  }
  SECTION("a transaction sees and erases it") {
    store.transaction([&](kvstore::Transaction& tx) {
      CHECK((tx.get("files", "b-streamed") == std::optional<std::string>(big)));
      CHECK(tx.count("files") == 3);
      CHECK(tx.erase("files", "b-streamed"));
    });
    CHECK_FALSE(store.stat("files", "b-streamed"));
    CHECK(leftovers(path) == 0);
  }
}

// ---- ScopedStore ----

TEST_CASE("streaming: ScopedStore begin_set, open_reader and stat stay in the namespace",
          "[blob]") {
  kvstore::Store store(":memory:", quiet());
  kvstore::ScopedStore tenant(store, "tenant-a");
  kvstore::ScopedStore other(store, "tenant-b");
  const auto content = random_bytes(300 * KiB + 7, 25);

  auto writer = tenant.begin_set("files", "k", with_tag("scoped"));
  write_in_pieces(writer, content, {50000});
  writer.commit();

  CHECK((store.get("tenant-a:files", "k") == std::optional<std::string>(content)));
  CHECK_FALSE(store.get("files", "k"));
  CHECK_FALSE(store.stat("files", "k"));
  CHECK_FALSE(other.stat("files", "k"));
  CHECK_FALSE(other.open_reader("files", "k"));
  const auto meta = tenant.stat("files", "k");
  REQUIRE(meta);
  CHECK(meta->tag == "scoped");
  CHECK(meta->size == content.size());
  CHECK(store.stat("tenant-a:files", "k")->revision == meta->revision);
  auto reader = tenant.open_reader("files", "k");
  REQUIRE(reader);
  CHECK((reader->read_all() == content));
  CHECK(tenant.count("files") == 1);
  CHECK(tenant.groups() == std::vector<std::string>{"files"});

  // A group name that tries to leave the namespace stays inside it.
  auto sneaky = other.begin_set("x:tenant-a:files", "k");
  sneaky.write("intruder");
  sneaky.commit();
  CHECK((tenant.get("files", "k") == std::optional<std::string>(content)));
  CHECK(other.stat("x:tenant-a:files", "k"));
  CHECK(store.stat("tenant-b:x:tenant-a:files", "k"));
}

TEST_CASE("streaming: a ScopedStore commit past a quota throws QuotaExceeded, nothing visible",
          "[blob]") {
  TempDir dir;
  const auto path = dir.file("s.db");
  kvstore::Store store(path, quiet());
  auto watcher = store.watch("*");

  SECTION("max_keys") {
    kvstore::ScopedStore tenant(store, "t", {1, 0});
    tenant.set("g", "existing", "1");
    CHECK(watcher.next(5s));
    const auto revision = store.revision();
    {
      auto writer = tenant.begin_set("g", "new", with_tag("x"));
      writer.write(random_bytes(300 * KiB, 26));
      CHECK_THROWS_AS(writer.commit(), kvstore::QuotaExceeded);
      CHECK_FALSE(writer.committed());
    }
    CHECK_FALSE(tenant.stat("g", "new"));
    CHECK_FALSE(tenant.get("g", "new"));
    CHECK(tenant.count("g") == 1);
    CHECK(store.revision() == revision);
    // Overwriting an existing key consumes no quota.
    auto overwrite = tenant.begin_set("g", "existing");
    overwrite.write("2");
    CHECK_NOTHROW(overwrite.commit());
    CHECK(tenant.get("g", "existing") == std::optional<std::string>("2"));
    CHECK(watcher.next(5s));
  }
  SECTION("max_groups") {
    kvstore::ScopedStore tenant(store, "t", {0, 1});
    tenant.set("g1", "k", "1");
    CHECK(watcher.next(5s));
    auto writer = tenant.begin_set("g2", "k");
    writer.write("v");
    CHECK_THROWS_AS(writer.commit(), kvstore::QuotaExceeded);
    CHECK_FALSE(tenant.stat("g2", "k"));
    CHECK(tenant.groups() == std::vector<std::string>{"g1"});
  }
  SECTION("quota shared with another ScopedStore object of the namespace") {
    kvstore::ScopedStore first(store, "t", {1, 0});
    kvstore::ScopedStore second(store, "t", {1, 0});
    auto writer = first.begin_set("g", "a");
    writer.write("a");
    second.set("g", "b", "b");  // takes the only key slot while the write is staged
    CHECK(watcher.next(5s));
    CHECK_THROWS_AS(writer.commit(), kvstore::QuotaExceeded);
    CHECK_FALSE(first.get("g", "a"));
  }
  store.set("sentinel-group", "sentinel", "");
  CHECK(events_until(watcher, "sentinel").empty());
  CHECK(leftovers(path) == 0);
  CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 0);
}

TEST_CASE("streaming: after a failed commit the writer is spent: write and commit throw",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  const auto size = GENERATE(as<std::size_t>{}, 1000, 300 * KiB);
  INFO(size << " bytes staged");
  kvstore::Store store(backend.path(), quiet());
  kvstore::ScopedStore tenant(store, "t", {1, 0});
  tenant.set("g", "existing", "1");
  const auto revision = store.revision();

  auto writer = tenant.begin_set("g", "new");
  writer.write(random_bytes(size, 27));
  CHECK_THROWS_AS(writer.commit(), kvstore::QuotaExceeded);
  tenant.erase("g", "existing");  // room for the key now: a retry could publish something
  // What was staged is gone: a later write or commit must not publish a value short of it.
  CHECK_THROWS_AS(writer.write("more"), kvstore::InvalidArgument);
  CHECK_THROWS_AS(writer.commit(), kvstore::InvalidArgument);
  CHECK_FALSE(writer.committed());
  CHECK_NOTHROW(writer.abort());
  CHECK_FALSE(tenant.get("g", "new"));
  CHECK(store.revision() == revision + 1);  // the erase only
  CHECK(store.check().empty());
  if (backend.is_file()) CHECK(leftovers(backend.path()) == 0);
}

TEST_CASE("streaming: begin_set inside a transaction throws InvalidArgument and stages nothing",
          "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  const auto revision = store.revision();
  CHECK_THROWS_AS(store.transaction([&](kvstore::Transaction&) {
    auto writer = store.begin_set("g", "k");
    writer.write("never");
    throw std::runtime_error("roll back");
  }),
                  kvstore::InvalidArgument);
  CHECK(store.revision() == revision);
  if (backend.is_file()) {
    CHECK(blob_rows(backend.path()) == 0);
    CHECK(staged_pieces(backend.path()) == 0);
  }
  // Nothing left behind stands in the way of the next streamed write.
  auto writer = store.begin_set("g", "k");
  writer.write("after");
  writer.commit();
  CHECK(store.get("g", "k") == std::optional<std::string>("after"));
  CHECK(store.check().empty());
}

// ---- sizes checked by hash ----

TEST_CASE("streaming: values of 0 bytes and 1 byte", "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());

  SECTION("0 bytes, no write at all") {
    auto writer = store.begin_set("g", "k", with_tag("empty"));
    writer.commit();
  }
  SECTION("0 bytes, an empty write") {
    auto writer = store.begin_set("g", "k", with_tag("empty"));
    writer.write("");
    writer.commit();
  }
  SECTION("1 byte") {
    auto writer = store.begin_set("g", "k", with_tag("one"));
    writer.write(std::string_view("\0", 1));
    writer.commit();
  }
  const auto meta = store.stat("g", "k");
  REQUIRE(meta);  // an empty value is a value, not a MISS
  const std::string expected = meta->tag == "one" ? std::string(1, '\0') : std::string();
  CHECK(meta->size == expected.size());
  const auto got = store.get("g", "k");
  REQUIRE(got);
  CHECK(*got == expected);
  CHECK(store.count("g") == 1);

  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  CHECK(reader->metadata().size == expected.size());
  std::vector<char> buffer(64 * KiB);
  std::string read;
  while (const auto n = reader->read(buffer)) read.append(buffer.data(), n);
  Fnv1a want, have;
  want.add(expected);
  have.add(read);
  CHECK(have.value() == want.value());
  CHECK(read == expected);

  auto again = store.open_reader("g", "k");
  REQUIRE(again);
  CHECK(drain(again->stream()) == expected);
}

TEST_CASE("streaming: values around the staging chunk sizes round-trip by hash", "[blob]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), quiet());
  for (const std::size_t size :
       {std::size_t{65535}, std::size_t{65536}, std::size_t{65537}, std::size_t{262143},
        std::size_t{262144}, std::size_t{262145}, std::size_t{524288}, MiB + 3}) {
    INFO("size " << size);
    const auto content = random_bytes(size, size);
    auto writer = store.begin_set("sizes", std::to_string(size));
    write_in_pieces(writer, content, {64 * KiB});
    writer.commit();
    auto reader = store.open_reader("sizes", std::to_string(size));
    REQUIRE(reader);
    CHECK(reader->metadata().size == size);
    Fnv1a want, have;
    want.add(content);
    std::vector<char> buffer(64 * KiB);
    std::size_t total = 0;
    while (const auto n = reader->read(buffer)) {
      have.add(std::string_view(buffer.data(), n));
      total += n;
    }
    CHECK(total == size);
    CHECK(have.value() == want.value());
  }
}

TEST_CASE("streaming: a 64 MiB value of random content round-trips by hash", "[blob]") {
  TempDir dir;
  const auto path = dir.file("big.db");
  kvstore::Store store(path, quiet());
  constexpr std::size_t kSize = 64 * MiB;
  constexpr std::size_t kChunk = 64 * KiB;
  constexpr std::uint64_t kSeed = 0x5eed64;

  // Written chunk by chunk from the generator: the test never holds the whole value.
  Fnv1a written;
  {
    RandomBytes source(kSeed);
    std::string chunk(kChunk, '\0');
    auto writer = store.begin_set("big", "value", with_tag("64MiB"));
    for (std::size_t done = 0; done < kSize; done += kChunk) {
      source.fill(chunk.data(), kChunk);
      written.add(chunk);
      writer.write(chunk);
    }
    writer.commit();
  }
  const auto meta = store.stat("big", "value");
  REQUIRE(meta);
  CHECK(meta->size == kSize);
  CHECK(meta->tag == "64MiB");

  // Read back in 64 KiB chunks, compared chunk by chunk with the regenerated content.
  auto reader = store.open_reader("big", "value");
  REQUIRE(reader);
  RandomBytes expected(kSeed);
  std::vector<char> got(kChunk), want(kChunk);
  Fnv1a read;
  std::size_t total = 0;
  std::optional<std::size_t> first_mismatch;
  while (const auto n = reader->read(got)) {
    if (total + n > kSize) {
      total += n;
      break;
    }
    expected.fill(want.data(), n);
    if (!first_mismatch && std::memcmp(got.data(), want.data(), n) != 0) first_mismatch = total;
    read.add(std::string_view(got.data(), n));
    total += n;
  }
  CHECK(total == kSize);
  CHECK_FALSE(first_mismatch);
  CHECK(read.value() == written.value());
}
