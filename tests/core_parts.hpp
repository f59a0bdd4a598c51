// The parts of a Store's core, built by hand for the unit tests of internal classes (WriteScope,
// ChangeFeed): one connection with its row classes, change log, namespace counts and pending
// changes. The log and the counts are the ones a Store would choose for the path
// (core/backends.hpp).
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

#include "core/backends.hpp"
#include "core/pending_changes.hpp"
#include "kvstore/options.hpp"
#include "storage/connection.hpp"
#include "storage/migrations.hpp"
#include "storage/rows.hpp"

namespace kvtest {

struct CoreParts {
  // On ":memory:" the log and the counts are kept in memory, on a file in its tables (as a Store
  // keeps them); the file is migrated to the latest schema first.
  explicit CoreParts(const std::string& path) : connection(path, kvstore::Options{}) {}

  kvstore::detail::Connection connection;
  kvstore::detail::Rows rows{migrated(connection)};
  kvstore::detail::Backends backends{kvstore::detail::backends_for(connection, rows)};
  kvstore::detail::ChangeLog& log{*backends.log};
  kvstore::detail::NamespaceCounts& counts{*backends.counts};
  kvstore::detail::PendingChanges pending;

 private:
  static SQLite::Database& migrated(kvstore::detail::Connection& connection) {
    kvstore::detail::migrate(connection.database());
    return connection.database();
  }
};

}  // namespace kvtest
