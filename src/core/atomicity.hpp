// What a write's body needs for its changes to be all or nothing (WriteScope provides it).
#pragma once

namespace kvstore::detail {

// From the most a body needs to the least:
// - needs_savepoint: a transaction, or a savepoint inside an open one.
// - self_contained: a transaction at top level; inside an open one nothing, because on failure
//   the body undoes its own changes to the database.
// - single_statement: nothing at all: the body changes the database with at most one
//   statement, which SQLite makes atomic by itself (outside a transaction it autocommits).
// In every case the in-memory records of the write are reverted if it does not commit.
enum class Atomicity { needs_savepoint, self_contained, single_statement };

// What a body made of two parts needs: the more of the two.
constexpr Atomicity stricter(Atomicity a, Atomicity b) { return a < b ? a : b; }

}  // namespace kvstore::detail
