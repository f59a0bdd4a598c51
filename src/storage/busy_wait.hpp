// How a connection waits for another connection's lock: SQLite's own back-off (1, 2, 5 ... then
// 100 ms between tries) for up to Options::busy_timeout.
//
// kvstore installs it as the connection's busy handler instead of sqlite3_busy_timeout(), whose
// int milliseconds truncated a longer timeout (3,000,000,000 ms waited 0 ms), and also uses it
// for the calls SQLite does not retry itself (switching a new file to WAL). Time is measured as
// elapsed since the first try, never as now + timeout, so no timeout overflows.
// Not thread-safe: used by the one thread that holds the connection.
#pragma once

#include <chrono>

struct sqlite3;

namespace kvstore::detail {

class BusyWait {
 public:
  explicit BusyWait(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // Before try number `tries` + 1 of one lock (tries = 0: the first failed): sleeps and returns
  // true, or returns false once the timeout is spent.
  bool again(int tries);
  // Makes this the busy handler of `db`; it must outlive the connection.
  void install(sqlite3* db);

 private:
  const std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point first_try_{};
};

}  // namespace kvstore::detail
