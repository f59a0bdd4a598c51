// RAII for one atomic write: a top-level IMMEDIATE transaction, or a savepoint when the caller is
// already inside one. Rolls back on destruction unless commit() ran.
#pragma once

#include "connection.hpp"

namespace kvstore::detail {

class WriteScope {
 public:
  enum class Kind { transaction, savepoint };
  WriteScope(Connection& connection, Kind kind);
  ~WriteScope();
  WriteScope(const WriteScope&) = delete;
  WriteScope& operator=(const WriteScope&) = delete;

  // Makes the writes permanent (COMMIT) or folds them into the enclosing transaction (RELEASE).
  void commit();

 private:
  Connection& connection_;
  Kind kind_;
  bool done_ = false;
};

}  // namespace kvstore::detail
