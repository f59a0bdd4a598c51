// Reclaiming, when a store opens, what crashed or killed writers of streamed values left.
#include "core/reclaim.hpp"

#include "core/store_impl.hpp"

namespace kvstore {

namespace detail {

namespace {

// What an opener may delete: staged blobs whose writer is gone, and files no row records.
struct Garbage {
  std::vector<std::int64_t> abandoned, unreferenced;
  bool empty() const { return abandoned.empty() && unreferenced.empty(); }
};

Garbage find_garbage(HeldStore& held) {
  Garbage garbage;
  // A ":memory:" database was made by this very open: nothing in it can have been abandoned.
  if (held.connection().is_memory()) return garbage;
  for (const auto& staged : held.blobs().staged()) {
    // A value staged in rows on a file store was begun by a kvstore older than schema 6: no
    // lock tells whether its writer lives, and such a writer cannot commit into this schema.
    if (!staged.in_file || !held.files().writer_is_live(staged.id)) {
      garbage.abandoned.push_back(staged.id);
    }
  }
  for (const auto id : held.files().enabled() ? held.files().list() : std::vector<std::int64_t>{}) {
    if (!held.blobs().storage(id)) garbage.unreferenced.push_back(id);
  }
  return garbage;
}

}  // namespace

void reclaim_abandoned_blobs(Store::Impl& impl) noexcept {
  const auto op = Operation::of("open: reclaim staged values");
  try {
    // A read finds candidates cheaply; only then does a write transaction decide, in which no
    // writer can be between inserting its row and committing it with its file.
    if (impl.with_connection(op, [](HeldStore& held) { return find_garbage(held); }).empty())
      return;
    const auto unreferenced = impl.write(op, [](HeldStore& held) {
      auto garbage = find_garbage(held);
      for (const auto id : garbage.abandoned) held.discard_blob(id);  // files go after commit
      return garbage.unreferenced;
    });
    detail::guarded(op, [&] {
      for (const auto id : unreferenced) impl.files().remove(id);
    });
  } catch (const std::exception& e) {
    impl.report(e.what(), " (tried again at the next open)");
  }
}

}  // namespace detail
}  // namespace kvstore
