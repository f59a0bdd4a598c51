// The store a command works on: the Store opened on the file, seen through a ScopedStore when
// --namespace is given.
#pragma once

#include <chrono>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>

namespace kvcli {

// How a command opens the file.
enum class Access {
  read_only,       // Options::read_only: never creates nor writes; the file must exist
  write_existing,  // writes, but only to an existing store (del, purge, maintenance)
  write_create,    // writes, creating the store if needed (set, import)
  migrate,         // migrate: an existing store, whose older schema the open upgrades
};

// The schema version of the store file at `path`, read without changing it.
int schema_version_of(const std::string& path);

// " (go-store)" for version 0, else "": what people know an old version as.
std::string describe_version(int version);

class Database {
 public:
  // Throws CliError (store_error) naming `path` if it is a directory, if the file must exist and
  // does not (naming a missing directory), or if a write open meets an older schema (which only
  // Access::migrate upgrades); kvstore errors if it cannot be opened, InvalidArgument for a bad
  // namespace. external_poll is
  // Options::external_poll_interval (0: no change feed from other processes).
  Database(const std::string& path, Access access, const std::string& ns,
           std::chrono::milliseconds external_poll = std::chrono::milliseconds(0));

  const std::string& path() const { return path_; }
  // The whole file (maintenance: stats, check, checkpoint, vacuum).
  kvstore::Store& store() { return store_; }

  // fn(scope) with the ScopedStore under --namespace, else the Store: both have the same data
  // methods (get, set, groups, watch, transaction, ...), so fn is a generic lambda.
  template <class Fn>
  decltype(auto) with_scope(Fn&& fn) {
    return scoped_ ? fn(*scoped_) : fn(store_);
  }

 private:
  std::string path_;
  kvstore::Store store_;
  std::optional<kvstore::ScopedStore> scoped_;  // engaged under --namespace
};

}  // namespace kvcli
