#include "core/table_change_log.hpp"

#include <optional>
#include <string>

#include "util/unix_time.hpp"

namespace kvstore::detail {

std::vector<Event> TableChangeLog::read_after(std::uint64_t revision) {
  std::vector<Event> events;
  rows_.read_after(revision, [&](const ChangeRows::Logged& row) {
    events.push_back(Event{log_op_type(row.op), std::string(row.group), std::string(row.key),
                           row.value ? std::optional<std::string>(*row.value) : std::nullopt,
                           from_unix_ms(row.time), row.revision});
  });
  return events;
}

}  // namespace kvstore::detail
