// How a Store learns of commits made by other connections to its file.
//
// PRAGMA data_version changes only when another connection commits, so a poll that finds it
// unchanged costs no table read; when it changed, the log rows after the cursor are read, and
// those this connection wrote itself (remembered at commit) are skipped: nothing is published
// twice. Guarded by the Store's connection lock.
#pragma once

#include <cstdint>
#include <vector>

#include "core/change_log.hpp"
#include "kvstore/events.hpp"
#include "storage/change_rows.hpp"

namespace kvstore::detail {

class ChangeFeed {
 public:
  // `enabled`: starts at once (see start()). Otherwise, until start(): remembers nothing, and
  // poll() returns nothing.
  ChangeFeed(ChangeRows& rows, ChangeLog& log, bool enabled);

  bool enabled() const { return enabled_; }
  // Enables the feed, at the end of the log: it returns the commits other connections make from
  // now on. `pending` are the revisions the open transaction appended so far, if any (ascending;
  // the newest of the log, since the transaction holds the write lock): they are this
  // connection's own, and the feed starts below them, so that if they roll back, another
  // connection's commits that take their numbers are not taken for seen. No-op if enabled.
  // Throws (SQLite, std::bad_alloc); the feed stays disabled then.
  void start(const std::vector<std::uint64_t>& pending);
  // Disables it again, forgetting what it remembered (a start that the caller could not
  // complete).
  void stop() noexcept {
    enabled_ = false;
    own_.clear();
  }
  // Before a commit: makes room to remember `count` more own revisions, so that remember_own()
  // after the commit allocates nothing. Throws std::bad_alloc.
  void reserve_own(std::size_t count);
  // After a commit: these revisions (ascending, above every revision remembered before) are this
  // connection's own. Empties `revisions`. Room for them was made by reserve_own().
  void remember_own(std::vector<std::uint64_t>& revisions) noexcept;
  // External changes committed since the last poll, oldest first, marked external. When changes
  // by other connections were trimmed from the log before this connection read them, the first
  // event is a `gap` at the oldest revision left, and `missed` says how many (its own trimmed
  // revisions do not count); otherwise `missed` is 0.
  std::vector<Event> poll(std::uint64_t& missed);

 private:
  ChangeRows& rows_;
  ChangeLog& log_;
  bool enabled_ = false;
  std::uint64_t cursor_ = 0;  // every revision up to here was seen or is own
  std::int64_t seen_data_version_ = 0;
  std::vector<std::uint64_t> own_;  // own revisions above cursor_, ascending
};

}  // namespace kvstore::detail
