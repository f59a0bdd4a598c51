// The operations a worker records, by what the checker expects of them. The workers name their
// calls with these names; the checker reads them back.
#pragma once

#include <string_view>

namespace history {

enum class OpKind {
  put,              // stores `written` under group/key: one `set` event when it succeeds
  remove_key,       // erase: one `erase` event when it returned true (number 1), none otherwise
  remove_group,     // delete_group: one `delete_group` event when it removed keys (number > 0)
  remove_prefix,    // delete_prefix: one `delete_group` event per group it emptied
  read_value,       // `value` is what group/key held (a reader also records the revision)
  read_revision,    // stat: `number` is the revision of what group/key held (0: absent)
  read_group,       // get_all: `entries` is what the group held
  layer_read,       // LastModifiedStore::get: `value`, checked per process (rule 5)
  purge,            // purge_expired: `number` expire events
  maintenance,      // checkpoint: no event
  never_published,  // a streamed write aborted on purpose: its value is never visible
  background,       // an own event no call was running for (background purge, layer jobs)
  unexplained,      // own events of a transaction that none of its writes accounts for
};

// Throws std::invalid_argument for a name no worker uses.
OpKind kind_of(std::string_view op);

}  // namespace history
