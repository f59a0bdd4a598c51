// What the writes of the open transaction have recorded and will hand on once it commits.
// Guarded by the Store's connection lock. A rolled-back write rolls these back too.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "events/batch.hpp"
#include "kvstore/events.hpp"

namespace kvstore::detail {

struct PendingChanges {
  std::vector<Event> events;  // to publish after commit (only when anyone listens)
  BatchNode node;  // carries `events` to the hub; allocated with the first event (events/batch.hpp)
  std::vector<std::uint64_t> revisions;  // this connection's revisions (if a feed is possible)
  // Blob ids whose files (BlobFiles) to delete once the deletion of their rows committed.
  std::vector<std::int64_t> removed_files;
  // Set when a failed write inside the open transaction could not be undone: the transaction
  // must then roll back instead of committing.
  bool must_roll_back = false;
  // Changes by other connections that were trimmed from the log before this one read them.
  std::uint64_t missed = 0;

  // Records an event to publish; the first one also allocates the node that carries them.
  void add_event(Event event) {
    if (!node) node = make_batch_node();
    events.push_back(std::move(event));
  }

  struct Mark {
    std::size_t events, revisions, removed_files;
  };
  Mark mark() const { return {events.size(), revisions.size(), removed_files.size()}; }
  // What a failed call keeps: the other connections' commits it caught up with (keep_recorded).
  Mark kept{0, 0, 0};
  void keep_recorded() { kept = mark(); }
  void rollback_to(Mark mark) {
    events.resize(mark.events);
    revisions.resize(mark.revisions);
    removed_files.resize(mark.removed_files);
  }
};

}  // namespace kvstore::detail
