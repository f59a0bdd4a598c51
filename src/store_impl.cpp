#include "store_impl.hpp"

#include <sqlite3.h>

#include <iostream>

#include "clock.hpp"
#include "migrations.hpp"

namespace kvstore {
namespace {

std::string_view op_name(ChangeOp op) {
  switch (op) {
    case ChangeOp::set:
      return "set";
    case ChangeOp::erase:
      return "erase";
    case ChangeOp::delete_group:
      return "delete_group";
    case ChangeOp::expire:
      return "expire";
  }
  return "set";
}

// Brings the schema up to date before any statement that names a table is prepared.
SQLite::Database& migrated(detail::Connection& connection) {
  if (connection.read_only()) {
    detail::require_latest_schema(connection.database());
  } else {
    detail::migrate(connection.database());
  }
  return connection.database();
}

constexpr int kPurgeBatch = 1000;

}  // namespace

Store::Impl::Impl(const std::string& path, Options opts)
    : options(std::move(opts)),
      connection(path, options),
      statements(migrated(connection)),
      background([this] {
        std::vector<detail::BackgroundThread::Task> tasks;
        if (options.purge_interval.count() > 0 && !options.read_only) {
          tasks.push_back({options.purge_interval, [this] { purge_in_background(); }});
        }
        return tasks;
      }()) {}

std::unique_lock<std::mutex> Store::Impl::lock_unless_joined() {
  if (joined()) return {};
  return std::unique_lock(mutex);
}

detail::WriteScope::Kind Store::Impl::scope_kind() const {
  return connection.in_transaction() ? detail::WriteScope::Kind::savepoint
                                     : detail::WriteScope::Kind::transaction;
}

void Store::Impl::require_writable(const detail::Operation& op) const {
  if (options.read_only) throw StorageError(op.message("store is open read-only"), SQLITE_READONLY);
}

void Store::Impl::report(const std::string& message) const {
  if (options.on_error) {
    options.on_error(message);
  } else {
    std::cerr << message << '\n';
  }
}

std::uint64_t Store::Impl::log_change(ChangeOp op, std::string_view group, std::string_view key,
                                      std::int64_t now) {
  detail::StatementUse use(statements.log_change);
  use.text(1, op_name(op)).text(2, group).text(3, key).integer(4, now).run();
  return static_cast<std::uint64_t>(connection.database().getLastInsertRowid());
}

void Store::Impl::put(std::string_view group, std::string_view key, std::string_view value,
                      std::optional<std::int64_t> expires_at, std::int64_t now) {
  const auto revision = log_change(ChangeOp::set, group, key, now);
  detail::StatementUse use(statements.upsert);
  use.text(1, group).text(2, key).text(3, value).integer_or_null(4, expires_at);
  use.integer(5, now).integer(6, static_cast<std::int64_t>(revision)).run();
}

std::size_t Store::Impl::remove_group(std::string_view group, std::int64_t now) {
  std::size_t removed = 0, live = 0;
  {
    detail::StatementUse use(statements.delete_group);
    use.text(1, group).integer(2, now);
    for (; use.step(); ++removed) live += use.column_int(0) != 0;
  }
  if (removed > 0) log_change(ChangeOp::delete_group, group, {}, now);
  return live;
}

void Store::Impl::expire_row(std::string_view group, std::string_view key, std::int64_t now) {
  if (options.read_only) return;  // hidden from reads, deleted by the next writer
  detail::WriteScope scope(connection, scope_kind());
  detail::StatementUse use(statements.delete_if_expired);
  if (use.text(1, group).text(2, key).integer(3, now).run() > 0) {
    log_change(ChangeOp::expire, group, key, now);
  }
  scope.commit();
}

std::size_t Store::Impl::purge_batch(std::int64_t now, int limit) {
  std::vector<std::pair<std::string, std::string>> expired;
  {
    detail::StatementUse use(statements.purge_batch);
    use.integer(1, now).integer(2, limit);
    while (use.step()) expired.emplace_back(use.column_text(0), use.column_text(1));
  }
  for (const auto& [group, key] : expired) log_change(ChangeOp::expire, group, key, now);
  return expired.size();
}

std::size_t Store::Impl::purge_expired() {
  const auto now = detail::now_unix_ms();
  std::size_t total = 0;
  // Batches keep each write lock short, so a large purge does not stall other writers.
  for (;;) {
    const auto purged =
        write(detail::Operation::of("purge_expired"), [&] { return purge_batch(now, kPurgeBatch); });
    total += purged;
    if (purged < static_cast<std::size_t>(kPurgeBatch)) return total;
  }
}

void Store::Impl::purge_in_background() {
  try {
    purge_expired();
  } catch (const std::exception& e) {
    report(std::string(e.what()) + " (background purge; will retry)");
  }
}

}  // namespace kvstore
