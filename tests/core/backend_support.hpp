// A migrated ":memory:" connection with its rows, for unit tests of the change logs and
// namespace counts. Both backends of each run on it: the table ones only need the tables.
#pragma once

#include <kvstore/options.hpp>
#include <string>

#include "core/pending_changes.hpp"
#include "core/write_scope.hpp"
#include "storage/connection.hpp"
#include "storage/migrations.hpp"
#include "storage/rows.hpp"

namespace kvtest {

struct BackendDatabase {
  kvstore::detail::Connection connection{":memory:", kvstore::Options{}};
  kvstore::detail::Rows rows{migrated()};
  kvstore::detail::PendingChanges pending;

  // Stores a kv row directly, as a write that went around the log and the counts.
  // A row as a write at `revision` leaves it.
  void insert_row(const std::string& group, const std::string& key, const std::string& value,
                  std::int64_t revision = 0) {
    SQLite::Statement insert(connection.database(),
                             "INSERT OR REPLACE INTO kv (grp, key, value, revision) "
                             "VALUES (?, ?, ?, ?)");
    insert.bind(1, group);
    insert.bind(2, key);
    insert.bind(3, value);
    insert.bind(4, revision);
    insert.exec();
  }

  // A write on `log` and `counts`: a transaction, or a savepoint inside an open one.
  kvstore::detail::WriteScope write(kvstore::detail::ChangeLog& log,
                                    kvstore::detail::NamespaceCounts& counts) {
    return {connection, pending, log, counts};
  }

 private:
  SQLite::Database& migrated() {
    kvstore::detail::migrate(connection.database());
    return connection.database();
  }
};

}  // namespace kvtest
