#include "core/change_log.hpp"

#include <string>

#include "kvstore/errors.hpp"

namespace kvstore::detail {

std::vector<Event> ChangeLog::replay_after(std::uint64_t revision, const Operation& op) {
  if (const auto last = latest(); revision > last) {
    throw InvalidArgument(op.message("revision " + std::to_string(revision) +
                                     " is after the latest revision " + std::to_string(last)));
  }
  auto events = read_after(revision);
  // Judged from the rows read, in their snapshot (another connection may trim the log between two
  // statements): revisions are consecutive, so a first one past revision + 1 means a trim. The
  // newest entry is never trimmed, so a revision below it always reads at least that one.
  // Compared as "first - 1 > revision", never "revision + 1 < first": revision may be UINT64_MAX.
  if (!events.empty() && events.front().revision - 1 > revision) {
    const auto first = events.front().revision;
    throw Compacted(
        op.message("revision " + std::to_string(revision) +
                   " is older than the change log holds (oldest " + std::to_string(first) + ")"),
        first);
  }
  return events;
}

}  // namespace kvstore::detail
