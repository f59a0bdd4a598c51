// The migrations/NNNN_name.sql files, embedded at build time (cmake/embed_migrations.cmake).
// Knows no SQLite: the build-time schema generator (cmake/fresh_schema_generator.cpp) reads it too.
#pragma once

#include <span>
#include <string_view>

namespace kvstore::detail {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // NUL-terminated: sql.data() may be passed to SQLite as it is
};

// Every migration, in version order 1, 2, ...
std::span<const Migration> embedded_migrations();

}  // namespace kvstore::detail
