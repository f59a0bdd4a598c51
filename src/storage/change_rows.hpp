// The rows of the table `changes`, the change log of a store on a file (migration 0002): every
// statement that reads or writes them, with its parameters and columns. Each prepared on its first
// use, then reused. Guarded by the Store's connection lock, like the connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/prepared_statement.hpp"
#include "util/function_ref.hpp"

namespace kvstore::detail {

class ChangeRows {
 public:
  explicit ChangeRows(SQLite::Database& db);

  // Appends an entry (`op`: the values migrations/0002_revisions.sql documents); returns its
  // revision, the new row's rowid.
  std::uint64_t append(std::string_view op, std::string_view group, std::string_view key,
                       std::int64_t time);
  // Deletes the entry of `revision` (a write that failed). Returns whether it could; never
  // throws.
  bool try_delete(std::uint64_t revision) noexcept;
  // The newest revision (0 when the log is empty).
  std::uint64_t latest();
  // The oldest logged revision (nullopt when the log is empty).
  std::optional<std::uint64_t> oldest();
  // How many entries the log holds.
  std::uint64_t count();

  // One entry as read_after reads it; the views last until `visit` returns.
  struct Logged {
    std::uint64_t revision;
    std::string_view op, group, key;
    std::int64_t time;
    // A `set` entry's value while its key still holds what that entry wrote (kv.revision is
    // the entry's), inline; nullopt once the key was written again or removed, for a streamed
    // value, and for every other entry: the log keeps no old values.
    std::optional<std::string_view> value;
  };
  // Visits the entries after `revision`, oldest first, in one statement (one snapshot).
  void read_after(std::uint64_t revision, FunctionRef<void(const Logged&)> visit);
  // Deletes all but the newest `kept` (>= 1) entries.
  void trim(std::size_t kept);

  // A number that changes when another connection commits.
  std::int64_t data_version();

 private:
  PreparedStatement append_;
  PreparedStatement delete_;
  PreparedStatement latest_;
  PreparedStatement oldest_;
  PreparedStatement count_;
  PreparedStatement after_;
  PreparedStatement trim_;
  PreparedStatement data_version_;
};

}  // namespace kvstore::detail
