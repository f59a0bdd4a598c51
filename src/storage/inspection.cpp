#include "storage/inspection.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "storage/migrations.hpp"
#include "storage/older_schema.hpp"
#include "util/utf8_path.hpp"

namespace kvstore::detail {
namespace {

std::uint64_t file_size_or_zero(const std::string& path) {
  if (path.empty()) return 0;
  std::error_code error;
  const auto size = std::filesystem::file_size(path_of_utf8(path), error);
  return error ? 0 : size;
}

std::uint64_t scalar(SQLite::Database& db, const char* sql) {
  return static_cast<std::uint64_t>(db.execAndGet(sql).getInt64());
}

// A count over rows live at `now` (?1).
std::uint64_t live_count(SQLite::Database& db, const char* sql, std::int64_t now) {
  SQLite::Statement query(db, sql);
  query.bind(1, static_cast<int64_t>(now));
  query.executeStep();
  return static_cast<std::uint64_t>(query.getColumn(0).getInt64());
}

void add_integrity_problems(SQLite::Database& db, std::vector<std::string>& problems) {
  SQLite::Statement integrity(db, "PRAGMA integrity_check");
  while (integrity.executeStep()) {
    const auto line = integrity.getColumn(0).getString();
    if (line != "ok") problems.push_back("integrity: " + line);
  }
}

void add_schema_problems(Connection& connection, std::vector<std::string>& problems) {
  auto& db = connection.database();
  const auto version = static_cast<int>(scalar(db, "PRAGMA user_version"));
  // A read-only open reads an older schema as it is (older_schema.hpp): that is no fault of the
  // file. Its tables are checked through the mapping, which pragma_table_info finds first.
  const bool read_as_older = connection.read_only() && version < latest_schema_version();
  if (version != latest_schema_version() && !read_as_older) {
    problems.push_back("schema version " + std::to_string(version) + ", expected " +
                       std::to_string(latest_schema_version()));
  }
  for (const auto& table : current_schema_tables()) {
    SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?1)");
    info.bind(1, table.name);
    std::vector<std::string> present;
    while (info.executeStep()) present.push_back(info.getColumn(0).getString());
    for (const auto& column : table.columns) {
      if (std::find(present.begin(), present.end(), column.name) == present.end()) {
        problems.push_back(std::string("schema: table ") + table.name + " lacks column " +
                           column.name);
      }
    }
  }
}

// On BLOBs instr counts bytes (on TEXT it counts characters and stops at a NUL), so the namespace
// is split off byte-wise, as namespace_of does. Columns: grp, keys.
constexpr const char* kNamespacedGroupKeys = R"(
  SELECT grp, count(*) AS keys FROM kv WHERE instr(CAST(grp AS BLOB), X'3A') > 0 GROUP BY grp)";

// Columns: name, holds keys, holds groups, counted keys, counted groups.
std::vector<Miscount> miscounts(Connection& connection, const std::string& sql) {
  std::vector<Miscount> found;
  SQLite::Statement query(connection.database(), sql);
  while (query.executeStep()) {
    found.push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                     query.getColumn(2).getInt64(), query.getColumn(3).getInt64(),
                     query.getColumn(4).getInt64()});
  }
  return found;
}

}  // namespace

DatabaseFacts database_facts(Connection& connection, std::int64_t now) {
  auto& db = connection.database();
  DatabaseFacts facts;
  facts.schema_version = static_cast<int>(scalar(db, "PRAGMA user_version"));
  facts.journal_mode = db.execAndGet("PRAGMA journal_mode").getString();
  facts.page_size = scalar(db, "PRAGMA page_size");
  facts.page_count = scalar(db, "PRAGMA page_count");
  facts.free_pages = scalar(db, "PRAGMA freelist_count");
  const auto path = connection.file_path();  // '' for ":memory:"
  facts.file_bytes = file_size_or_zero(path);
  facts.wal_bytes = path.empty() ? 0 : file_size_or_zero(path + "-wal");
  facts.keys =
      live_count(db, "SELECT count(*) FROM kv WHERE expires_at IS NULL OR expires_at > ?1", now);
  facts.groups = live_count(
      db, "SELECT count(DISTINCT grp) FROM kv WHERE expires_at IS NULL OR expires_at > ?1", now);
  facts.expiring_keys = live_count(db, "SELECT count(*) FROM kv WHERE expires_at > ?1", now);
  return facts;
}

bool holds_expiring_rows(Connection& connection) {
  return scalar(connection.database(),
                "SELECT EXISTS (SELECT 1 FROM kv WHERE expires_at IS NOT NULL)") != 0;
}

void add_database_problems(Connection& connection, std::vector<std::string>& problems) {
  add_integrity_problems(connection.database(), problems);
  add_schema_problems(connection, problems);
}

// Each streamed value the database keeps in a file: the file is there, of the recorded size.
void add_value_file_problems(Connection& connection, const BlobFiles& files,
                             std::vector<std::string>& problems) {
  SQLite::Statement values(connection.database(),
                           "SELECT kv.grp, kv.key, b.id, b.size FROM kv "
                           "JOIN blobs AS b ON b.id = kv.blob_id WHERE b.in_file = 1");
  while (values.executeStep()) {
    const auto problem = files.problem(values.getColumn(2).getInt64(),
                                       static_cast<std::uint64_t>(values.getColumn(3).getInt64()));
    if (!problem.empty()) {
      problems.push_back("value file of " + values.getColumn(0).getString() + "/" +
                         values.getColumn(1).getString() + ": " + problem);
    }
  }
}

void recount_namespaced_groups(Connection& connection,
                               const std::function<void(std::string_view, std::int64_t)>& fn) {
  SQLite::Statement query(connection.database(), kNamespacedGroupKeys);
  while (query.executeStep()) {
    const auto group = query.getColumn(0).getString();
    fn(group, query.getColumn(1).getInt64());
  }
}

std::vector<Miscount> miscounted_groups(Connection& connection) {
  return miscounts(connection, std::string("WITH actual AS (") + kNamespacedGroupKeys + R"()
  SELECT coalesce(a.grp, c.grp), coalesce(a.keys, 0), 0, coalesce(c.keys, 0), 0
  FROM actual a FULL JOIN ns_group_counts c ON a.grp = c.grp
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0))");
}

std::vector<Miscount> miscounted_namespaces(Connection& connection) {
  return miscounts(connection, std::string("WITH grp_keys AS (") + kNamespacedGroupKeys + R"(),
  actual AS (SELECT CAST(substr(CAST(grp AS BLOB), 1, instr(CAST(grp AS BLOB), X'3A') - 1)
                         AS TEXT) AS ns, sum(keys) AS keys, count(*) AS groups
             FROM grp_keys GROUP BY 1)
  SELECT coalesce(a.ns, c.ns), coalesce(a.keys, 0), coalesce(a.groups, 0), coalesce(c.keys, 0),
         coalesce(c.groups, 0)
  FROM actual a FULL JOIN ns_counts c ON a.ns = c.ns
  WHERE coalesce(a.keys, 0) != coalesce(c.keys, 0) OR coalesce(a.groups, 0) != coalesce(c.groups, 0))");
}

bool checkpoint_truncate(Connection& connection) {
  SQLite::Statement checkpoint(connection.database(), "PRAGMA wal_checkpoint(TRUNCATE)");
  checkpoint.executeStep();
  return checkpoint.getColumn(0).getInt() == 0;
}

void vacuum(Connection& connection) { connection.database().exec("VACUUM"); }

}  // namespace kvstore::detail
