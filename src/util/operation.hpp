// What a public call is doing, so that every error it throws can name it.
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <system_error>

#include "kvstore/errors.hpp"

namespace kvstore::detail {

struct Operation {
  std::string_view name;               // "set", "delete_group", ...
  std::string_view group;              // may be empty
  std::string_view key;                // may be empty
  bool has_key = false;                // distinguishes "group/" (empty key) from "group"
  std::string_view group_prefix = {};  // named before group: a ScopedStore's "ns:"

  static Operation of(std::string_view name) { return {name, {}, {}, false}; }
  static Operation of(std::string_view name, std::string_view group) {
    return {name, group, {}, false};
  }
  static Operation of(std::string_view name, std::string_view group, std::string_view key) {
    return {name, group, key, true};
  }
  // The same operation with `prefix` named before its group.
  Operation within(std::string_view prefix) const {
    Operation prefixed = *this;
    prefixed.group_prefix = prefix;
    return prefixed;
  }

  // "kvstore: set config/theme: <detail>" with unprintable bytes escaped and long names cut.
  std::string message(std::string_view detail) const;
};

// Carries what the caller's own code (a transaction's fn) threw through guarded(), which then
// rethrows the original unchanged instead of translating it.
struct CallersException {
  std::exception_ptr original;
};

// Runs the caller's code so that whatever it throws leaves the kvstore call unchanged.
template <class Fn>
void run_callers_code(Fn&& fn) {
  try {
    fn();
  } catch (...) {
    throw CallersException{std::current_exception()};
  }
}

// Throws StorageError (SQLITE_NOMEM) for `op`; one whose message needs no memory if even that
// cannot be built.
[[noreturn]] void throw_out_of_memory(const Operation& op);

// Whether a file-system error means the disk is full for this process: no space left, or its
// quota used up (EDQUOT, where the system has one).
bool is_disk_full(const std::error_code& code) noexcept;

// Translates the exception being handled (inside a catch block) into a kvstore::Error for `op`.
// kvstore errors pass through unchanged.
[[noreturn]] void rethrow_as_kvstore_error(const Operation& op);

// Runs body(); any SQLite, file or allocation failure leaves as the matching kvstore::Error naming
// `op`; what the caller's code threw (run_callers_code) leaves unchanged.
template <class Body>
decltype(auto) guarded(const Operation& op, Body&& body) {
  try {
    return body();
  } catch (...) {
    rethrow_as_kvstore_error(op);
  }
}

}  // namespace kvstore::detail
