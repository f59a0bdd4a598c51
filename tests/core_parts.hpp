// The parts of a Store's core, built by hand for the unit tests of internal classes (WriteScope,
// ChangeFeed): one connection with its statements, change log, namespace counts and pending
// changes. The only place the tests build a ChangeLog and NamespaceCounts: adapt it here when
// their classes change.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

#include "core/change_log.hpp"
#include "core/namespace_counts.hpp"
#include "core/pending_changes.hpp"
#include "kvstore/options.hpp"
#include "storage/connection.hpp"
#include "storage/migrations.hpp"
#include "storage/statements.hpp"

namespace kvtest {

struct CoreParts {
  // On ":memory:" the log and the counts are kept in memory, on a file in its tables (as a Store
  // keeps them); the file is migrated to the latest schema first.
  explicit CoreParts(const std::string& path) : connection(path, kvstore::Options{}) {}

  kvstore::detail::Connection connection;
  kvstore::detail::Statements statements{migrated(connection)};
  kvstore::detail::ChangeLog log{statements, connection.is_memory()};
  kvstore::detail::NamespaceCounts counts{statements, connection.is_memory()};
  kvstore::detail::PendingChanges pending;

 private:
  static SQLite::Database& migrated(kvstore::detail::Connection& connection) {
    kvstore::detail::migrate(connection.database());
    return connection.database();
  }
};

}  // namespace kvtest
