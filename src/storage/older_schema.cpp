#include "storage/older_schema.hpp"

#include <SQLiteCpp/Statement.h>

#include <set>
#include <span>
#include <string>

#include "kvstore/errors.hpp"

namespace kvstore::detail {
namespace {

constexpr SchemaColumn kKv[] = {{"grp", nullptr},       {"key", nullptr},     {"value", nullptr},
                                {"expires_at", "NULL"}, {"modified_at", "0"}, {"revision", "0"},
                                {"tag", "''"},          {"blob_id", "NULL"}};
constexpr SchemaColumn kChanges[] = {
    {"revision", nullptr}, {"op", nullptr}, {"grp", nullptr}, {"key", nullptr}, {"time", nullptr}};
constexpr SchemaColumn kGroupCounts[] = {{"grp", nullptr}, {"keys", nullptr}};
constexpr SchemaColumn kCounts[] = {{"ns", nullptr}, {"keys", nullptr}, {"groups", nullptr}};
constexpr SchemaColumn kBlobs[] = {{"id", nullptr},     {"size", "0"},      {"writer_pid", "0"},
                                   {"created_at", "0"}, {"committed", "0"}, {"in_file", "0"}};
constexpr SchemaColumn kChunks[] = {{"blob_id", nullptr}, {"seq", nullptr}, {"data", nullptr}};

// Byte-wise namespace split, as migration 0004 does. kv is the TEMP view by then.
constexpr const char* kGroupCountsOfKv =
    "SELECT grp, count(*) AS keys FROM kv WHERE instr(CAST(grp AS BLOB), X'3A') > 0 GROUP BY grp";
constexpr const char* kCountsOfKv =
    "SELECT CAST(substr(CAST(grp AS BLOB), 1, instr(CAST(grp AS BLOB), X'3A') - 1) AS TEXT) AS "
    "ns, sum(keys) AS keys, count(*) AS groups FROM ns_group_counts GROUP BY 1";

// kv first: the counts' views read it.
constexpr SchemaTable kTables[] = {{"kv", kKv, nullptr},
                                   {"changes", kChanges, nullptr},
                                   {"ns_group_counts", kGroupCounts, kGroupCountsOfKv},
                                   {"ns_counts", kCounts, kCountsOfKv},
                                   {"blobs", kBlobs, nullptr},
                                   {"blob_chunks", kChunks, nullptr}};

std::set<std::string> columns_in_file(SQLite::Database& db, const char* table) {
  std::set<std::string> columns;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info(?1, 'main')");
  info.bind(1, table);
  while (info.executeStep()) columns.insert(info.getColumn(0).getString());
  return columns;
}

std::string column_list(const SchemaTable& table) {
  std::string list;
  for (const auto& column : table.columns)
    list += (list.empty() ? "" : ", ") + std::string(column.name);
  return list;
}

// A view over the file's table: the columns it has, the fill of those it lacks; nothing if it
// already has them all.
void map_table(SQLite::Database& db, const SchemaTable& table,
               const std::set<std::string>& present) {
  std::string select;
  bool complete = true;
  for (const auto& column : table.columns) {
    std::string expression = column.name;
    if (!present.count(column.name)) {
      if (!column.fill) {
        throw SchemaError(std::string("kvstore: open: table ") + table.name +
                          " exists but has no column '" + column.name +
                          "'; not a kvstore or go-store database");
      }
      expression = std::string(column.fill) + " AS " + column.name;
      complete = false;
    }
    select += (select.empty() ? "" : ", ") + expression;
  }
  if (complete) return;
  db.exec(std::string("CREATE TEMP VIEW ") + table.name + " AS SELECT " + select + " FROM main." +
          table.name);
}

void add_absent_table(SQLite::Database& db, const SchemaTable& table) {
  if (table.absent) {
    db.exec(std::string("CREATE TEMP VIEW ") + table.name + " AS " + table.absent);
  } else {
    db.exec(std::string("CREATE TEMP TABLE ") + table.name + " (" + column_list(table) + ")");
  }
}

}  // namespace

std::span<const SchemaTable> current_schema_tables() { return kTables; }

void map_older_schema(SQLite::Database& db) {
  for (const auto& table : kTables) {
    const auto present = columns_in_file(db, table.name);
    present.empty() ? add_absent_table(db, table) : map_table(db, table, present);
  }
}

}  // namespace kvstore::detail
