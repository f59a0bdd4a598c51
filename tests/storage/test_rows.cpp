// The row classes of storage/ on a migrated ":memory:" connection: what each statement binds and
// decodes (kv writes, deletions, pages, ranges and metadata; the change log's rows; streamed
// values' rows; the namespace count rows).
#include <catch2/catch.hpp>
#include <cstdint>
#include <kvstore/options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "storage/connection.hpp"
#include "storage/migrations.hpp"
#include "storage/rows.hpp"

using kvstore::detail::KvRows;
using kvstore::detail::PrefixRange;

namespace {

struct Database {
  kvstore::detail::Connection connection{":memory:", kvstore::Options{}};
  kvstore::detail::Rows rows{migrated()};

  void put(std::string_view group, std::string_view key, std::string_view value,
           std::optional<std::int64_t> expires_at = std::nullopt) {
    rows.kv.upsert({group, key, value, expires_at, 5, 7, "tag", std::nullopt});
  }

 private:
  SQLite::Database& migrated() {
    kvstore::detail::migrate(connection.database());
    return connection.database();
  }
};

std::vector<std::string> live_keys(KvRows& kv, std::string_view group, std::string_view from,
                                   int limit) {
  std::vector<std::string> keys;
  kv.live_page(group, from, 100, limit,
               [&](std::string_view key, std::string_view, std::optional<std::int64_t>) {
                 keys.emplace_back(key);
               });
  return keys;
}

}  // namespace

TEST_CASE("kv rows: a row is written, found and rewritten", "[rows]") {
  Database db;
  CHECK_FALSE(db.rows.kv.find("g", "k", 0).has_value());
  db.put("g", "k", "v", 50);

  const auto row = db.rows.kv.find("g", "k", 49);
  REQUIRE(row.has_value());
  CHECK(row->live);
  CHECK(row->value == "v");
  CHECK_FALSE(row->blob_id.has_value());
  const auto expired = db.rows.kv.find("g", "k", 50);
  REQUIRE(expired.has_value());
  CHECK_FALSE(expired->live);
  CHECK(expired->value.empty());  // not read
  CHECK(db.rows.kv.value_written_at("g", "k", 7) == "v");
  CHECK_FALSE(db.rows.kv.value_written_at("g", "k", 6).has_value());  // written by another
  CHECK_FALSE(db.rows.kv.value_written_at("g", "none", 7).has_value());
  CHECK(db.rows.kv.exists("g", "k"));
  CHECK(db.rows.kv.group_exists("g"));
  CHECK_FALSE(db.rows.kv.group_exists("h"));

  const KvRows::RowWrite again{"g", "k", "w", std::nullopt, 6, 8, "", std::nullopt};
  CHECK_FALSE(db.rows.kv.insert_new(again));
  CHECK(db.rows.kv.value_written_at("g", "k", 7) == "v");
  db.rows.kv.update(again);
  CHECK(db.rows.kv.value_written_at("g", "k", 8) == "w");
  CHECK_FALSE(db.rows.kv.value_written_at("g", "k", 7).has_value());
  CHECK(db.rows.kv.insert_new({"g", "new", "n", std::nullopt, 6, 9, "", std::nullopt}));
}

TEST_CASE("kv rows: deletions tell whether the row was live", "[rows]") {
  Database db;
  db.put("g", "live", "1");
  db.put("g", "expired", "2", 10);
  db.put("h", "a", "3", 10);
  db.put("h", "b", "4");

  CHECK(db.rows.kv.delete_row("g", "live", 100)->live);
  CHECK_FALSE(db.rows.kv.delete_row("g", "expired", 100)->live);
  CHECK_FALSE(db.rows.kv.delete_row("g", "none", 100).has_value());
  CHECK_FALSE(db.rows.kv.delete_if_expired("h", "b", 100).has_value());
  db.put("h", "c", "5", 3);
  const auto deleted = db.rows.kv.delete_group("h", 5);  // a and b live at 5, c not
  CHECK(deleted.rows == 3);
  CHECK(deleted.live == 2);
  CHECK(deleted.blob_ids.empty());
}

TEST_CASE("kv rows: pages, counts and groups see live rows only", "[rows]") {
  Database db;
  for (const char* key : {"a", "b", "c", "d"}) db.put("g", key, key);
  db.put("g", "bb", "x", 10);  // expired at 100
  db.put("p:1", "k", "v");
  db.put("p:2", "k", "v", 10);

  CHECK(live_keys(db.rows.kv, "g", "", -1) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(live_keys(db.rows.kv, "g", "b", 2) == std::vector<std::string>{"b", "c"});
  CHECK(db.rows.kv.count_live("g", 100) == 4);
  const auto range = PrefixRange::of("p:");
  CHECK(db.rows.kv.count_live_in_range(range, 100) == 1);
  CHECK(db.rows.kv.live_groups_in_range(range, 100) == std::vector<std::string>{"p:1"});
  CHECK(db.rows.kv.groups_in_range(range) == std::vector<std::string>{"p:1", "p:2"});

  const auto purged = db.rows.kv.purge_batch(100, 10, &range);
  REQUIRE(purged.size() == 1);
  CHECK(purged[0].group == "p:2");
  CHECK(db.rows.kv.purge_batch(100, 10).size() == 1);  // g/bb
}

TEST_CASE("kv rows: metadata, with the plain value read in the same statement", "[rows]") {
  Database db;
  db.put("g", "k", "four");
  const auto meta = db.rows.kv.metadata("g", "k", true);
  REQUIRE(meta.has_value());
  CHECK(meta->revision == 7);
  CHECK(meta->modified_at == 5);
  CHECK(meta->tag == "tag");
  CHECK(meta->size == 4);
  CHECK_FALSE(meta->in_file);
  CHECK(meta->value == "four");
  CHECK(db.rows.kv.metadata("g", "k", false)->value.empty());
}

TEST_CASE("change rows: append, read, trim", "[rows]") {
  Database db;
  auto& changes = db.rows.changes;
  CHECK(changes.latest() == 0);
  CHECK_FALSE(changes.oldest().has_value());
  for (int i = 0; i < 3; ++i) changes.append("erase", "g", "k", i);
  CHECK(changes.append("set", "g", "k", 3) == 4);
  CHECK(changes.try_delete(4));
  CHECK(changes.append("set", "g", "k", 3) == 4);  // the revision of a deleted entry again
  db.rows.kv.upsert({"g", "k", "now", std::nullopt, 5, 4, "", std::nullopt});
  CHECK(changes.append("set", "g", "gone", 3) == 5);

  std::vector<std::string> seen;
  changes.read_after(2, [&](const kvstore::detail::ChangeRows::Logged& row) {
    seen.push_back(std::to_string(row.revision) + " " + std::string(row.op) + " " +
                   (row.value ? std::string(*row.value) : "(none)"));
  });
  CHECK(seen == std::vector<std::string>{"3 erase (none)", "4 set now", "5 set (none)"});
  changes.trim(SIZE_MAX);
  CHECK(changes.count() == 5);
  changes.trim(1);
  CHECK(changes.count() == 1);
  CHECK(changes.oldest() == std::uint64_t{5});
}

TEST_CASE("blob rows: staged, chunked, finished and deleted", "[rows]") {
  Database db;
  auto& blobs = db.rows.blobs;
  const auto id = blobs.create(1, 2, false);
  blobs.insert_chunk(id, 0, "ab");
  blobs.insert_chunk(id, 1, "cd");
  REQUIRE(blobs.staged().size() == 1);
  CHECK(blobs.finish(id, 4));
  CHECK_FALSE(blobs.finish(id, 4));  // no longer staged
  CHECK(blobs.staged().empty());

  std::string chunk;
  CHECK(blobs.read_chunk(id, 1, chunk));
  CHECK(chunk == "cd");
  CHECK_FALSE(blobs.read_chunk(id, 2, chunk));
  std::string value;
  blobs.append_chunks(id, value);
  CHECK(value == "abcd");
  CHECK(blobs.storage(id)->size == 4);
  CHECK(blobs.orphans() == std::vector<std::int64_t>{id});  // no row points to it

  blobs.delete_chunks(id);
  CHECK(blobs.delete_blob(id) == std::optional<bool>(false));
  CHECK_FALSE(blobs.delete_blob(id).has_value());
  CHECK_FALSE(blobs.storage(id).has_value());
}

TEST_CASE("count rows: first counts, additions and emptied groups", "[rows]") {
  Database db;
  auto& counts = db.rows.counts;
  CHECK_FALSE(counts.namespace_totals("ns").has_value());
  CHECK_FALSE(counts.add_to_group("ns:g", 1));
  counts.insert_group("ns:g", 1);
  CHECK_FALSE(counts.add_to_namespace("ns", 1, 1));
  counts.insert_namespace("ns", 1, 1);
  CHECK(counts.add_to_namespace("ns", 2, 0));
  CHECK(counts.namespace_totals("ns")->keys == 3);
  CHECK(counts.add_to_group("ns:g", -1));
  CHECK(counts.delete_group_if_empty("ns:g"));
  CHECK_FALSE(counts.delete_group_if_empty("ns:g"));
}
