#include "storage/busy_wait.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <thread>

namespace kvstore::detail {
namespace {

// The delays of SQLite's own busy handler (sqliteDefaultBusyCallback), in ms.
constexpr std::array<int, 12> kDelays = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};

int handle_busy(void* wait, int tries) { return static_cast<BusyWait*>(wait)->again(tries); }

}  // namespace

bool BusyWait::again(int tries) {
  using std::chrono::milliseconds;
  const auto now = std::chrono::steady_clock::now();
  if (tries == 0) first_try_ = now;
  const auto waited = std::chrono::duration_cast<milliseconds>(now - first_try_);
  if (waited >= timeout_) return false;
  const milliseconds delay(kDelays[std::min<std::size_t>(tries, kDelays.size() - 1)]);
  std::this_thread::sleep_for(std::min(delay, timeout_ - waited));
  return true;
}

void BusyWait::install(sqlite3* db) { sqlite3_busy_handler(db, handle_busy, this); }

}  // namespace kvstore::detail
