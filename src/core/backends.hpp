// Where a store keeps its change log and namespace counts, chosen once, when it opens: a store on
// a file keeps them in its tables, where every connection to the file sees them; a ":memory:"
// store, which no other connection can open, keeps them in memory (see the four classes).
#pragma once

#include <memory>

#include "core/change_log.hpp"
#include "core/namespace_counts.hpp"
#include "storage/connection.hpp"
#include "storage/rows.hpp"

namespace kvstore::detail {

struct Backends {
  std::unique_ptr<ChangeLog> log;
  std::unique_ptr<NamespaceCounts> counts;
  // Whether other connections can write the database (a file), so that their commits must be
  // looked for (the change feed); a ":memory:" database is this store's alone.
  bool shared = false;
};

// The backends for `connection`, whose migrated schema `rows` were prepared on.
Backends backends_for(const Connection& connection, Rows& rows);

}  // namespace kvstore::detail
