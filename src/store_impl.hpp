// Store's private state and the building blocks its methods share.
//
// Locking: `mutex` guards the connection and every statement. A thread running
// Store::transaction(fn) holds it for the whole of fn and is recorded in `transaction_thread`;
// calls it makes meanwhile join the open transaction instead of locking again.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>

#include "background_thread.hpp"
#include "connection.hpp"
#include "kvstore/store.hpp"
#include "operation.hpp"
#include "statements.hpp"
#include "write_scope.hpp"

namespace kvstore {

// The op column of the change log.
enum class ChangeOp { set, erase, delete_group, expire };

struct Store::Impl {
  Impl(const std::string& path, Options options);

  // Runs body with the connection, under the mutex unless this thread's transaction is open.
  template <class Body>
  decltype(auto) read(const detail::Operation& op, Body&& body) {
    return detail::guarded(op, [&]() -> decltype(auto) {
      auto lock = lock_unless_joined();
      return body();
    });
  }

  // Like read(), inside one atomic write: its own transaction, or a savepoint of the open one.
  // Throws StorageError without touching the file when the store is read-only.
  template <class Body>
  decltype(auto) write(const detail::Operation& op, Body&& body) {
    return detail::guarded(op, [&]() -> decltype(auto) {
      require_writable(op);
      auto lock = lock_unless_joined();
      detail::WriteScope scope(connection, scope_kind());
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        scope.commit();
      } else {
        auto result = body();
        scope.commit();
        return result;
      }
    });
  }

  bool joined() const { return transaction_thread.load() == std::this_thread::get_id(); }
  std::unique_lock<std::mutex> lock_unless_joined();
  detail::WriteScope::Kind scope_kind() const;
  void require_writable(const detail::Operation& op) const;
  void report(const std::string& message) const;

  // Steps of the public operations. The caller holds the connection; the mutating ones also
  // need a WriteScope. `now` is Unix ms.
  std::uint64_t log_change(ChangeOp op, std::string_view group, std::string_view key,
                           std::int64_t now);
  void put(std::string_view group, std::string_view key, std::string_view value,
           std::optional<std::int64_t> expires_at, std::int64_t now);
  std::size_t remove_group(std::string_view group, std::int64_t now);
  // Deletes group/key if it is expired at `now` and the store is writable.
  void expire_row(std::string_view group, std::string_view key, std::int64_t now);
  // Deletes up to `limit` expired rows; returns how many.
  std::size_t purge_batch(std::int64_t now, int limit);
  // Deletes every row expired now, in batches of short writes; returns how many.
  std::size_t purge_expired();
  void purge_in_background();

  Options options;
  std::mutex mutex;
  detail::Connection connection;
  detail::Statements statements;
  std::atomic<std::thread::id> transaction_thread{};
  detail::BackgroundThread background;  // last: stopped before everything above is destroyed
};

}  // namespace kvstore
