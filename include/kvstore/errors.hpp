// Errors thrown by kvstore.
//
// Absence is never an error: lookups return std::optional. Every failure throws kvstore::Error or
// one of its subclasses, and what() names the operation and the group/key involved, e.g.
//   kvstore: set config/theme: database or disk is full
// Raw SQLite exceptions never escape the library. After any failed call the store stays usable
// and holds exactly what it held before the call.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "kvstore/export.hpp"

namespace kvstore {

// Base of every exception kvstore throws.
class KVSTORE_EXPORT Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// The caller passed something the operation cannot accept: a TTL <= 0, a bad namespace, a value
// that is not JSON for get_json, a template syntax error, a write after commit/abort, a revision
// after the latest one for changes_since or watch.
class KVSTORE_EXPORT InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A configuration struct (Options, QuotaConfig, LastModifiedConfig) holds an invalid value (a
// negative size, count or interval); what() names the struct and the field, e.g.
// "Options::busy_timeout".
class KVSTORE_EXPORT InvalidConfig : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// A ScopedStore write would exceed the namespace's key or group quota; nothing was changed.
class KVSTORE_EXPORT QuotaExceeded : public Error {
 public:
  using Error::Error;
};

// A LastModifiedStore with FullPolicy::reject is full and the write adds a new key.
class KVSTORE_EXPORT StoreFull : public Error {
 public:
  using Error::Error;
};

// The LastModifiedStore is not running (never started, or shut down).
class KVSTORE_EXPORT NotRunning : public Error {
 public:
  using Error::Error;
};

// start() was called on a LastModifiedStore that is already running.
class KVSTORE_EXPORT AlreadyRunning : public Error {
 public:
  using Error::Error;
};

// The file is not a kvstore database: not a database at all, corrupt, created by a newer
// version of kvstore, or holding a `kv` table of an unknown shape.
class KVSTORE_EXPORT SchemaError : public Error {
 public:
  using Error::Error;
};

// Any other SQLite or I/O failure. sqlite_code() is the (extended) SQLite result code.
class KVSTORE_EXPORT StorageError : public Error {
 public:
  StorageError(const std::string& what, int sqlite_code) : Error(what), code_(sqlite_code) {}
  [[nodiscard]] int sqlite_code() const noexcept { return code_; }

 private:
  int code_;
};

// A change-feed request (Store::changes_since, Store::watch with from_revision) starts before the
// oldest revision the change log still holds (Options::change_log_retention): changes were
// trimmed and cannot be replayed. Resume from oldest_available_revision() - 1 after reloading.
class KVSTORE_EXPORT Compacted : public Error {
 public:
  Compacted(const std::string& what, std::uint64_t oldest_available_revision)
      : Error(what), oldest_(oldest_available_revision) {}
  [[nodiscard]] std::uint64_t oldest_available_revision() const noexcept { return oldest_; }

 private:
  std::uint64_t oldest_;
};

// The database stayed locked by another connection for longer than Options::busy_timeout.
class KVSTORE_EXPORT Busy : public StorageError {
 public:
  using StorageError::StorageError;
};

}  // namespace kvstore
