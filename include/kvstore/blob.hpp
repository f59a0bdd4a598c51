// Streaming values with metadata: write and read large values in chunks, in bounded memory,
// with the atomic-publish contract of a cache object store.
//
// A BlobWriter (Store::begin_set) stages the bytes as they come: for a store on a file, in a file
// of the value's own in the directory "<database file>-blobs" (written once, read with plain
// reads; the database records which of those files hold values); for a ":memory:" store, in
// the database. The old value stays readable until commit(), which makes the bytes durable and
// publishes the value and its metadata atomically, and abort() (or the writer's destruction)
// discards everything staged. The staged data of a process that dies before commit is invisible
// and is reclaimed when the store is next opened (a writer's liveness is told by a lock on its
// file, not by its process id, so it holds across containers that share the volume). Copy or move
// a store file together with its "-blobs" directory.
// A BlobReader (Store::open_reader) reads a value chunk by chunk and never mixes versions: if the
// value is replaced while it reads, it keeps delivering the version it opened (a value in a file)
// or, for a value in the database (a ":memory:" store), throws Error once that version's rows are
// deleted: at once when the value is erased or replaced by another streamed value; when a plain
// set replaced it, at the next purge pass (Options::purge_interval, Store::purge_expired), and
// until then the reader delivers the old version whole.
//
// Thread-safety: a writer or a reader is used by one thread at a time; many writers and readers
// may run concurrently on one Store. Both must not outlive their Store (calls then throw Error).
#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "kvstore/export.hpp"
#include "kvstore/options.hpp"

namespace kvstore {

namespace detail {
class ScopedSeam;
}

struct Metadata {
  std::string tag;                    // the caller's label (an ETag, a content type); "" by default
  std::uint64_t size = 0;             // value bytes (set by the store)
  std::uint64_t revision = 0;         // revision of the write that stored the value; usable as ETag
  Clock::time_point last_modified{};  // when the value was stored (set by the store)
  std::optional<Clock::time_point> expires_at;  // TTL; nullopt = never
};

class KVSTORE_EXPORT BlobReader {
 public:
  BlobReader(BlobReader&&) noexcept;
  BlobReader& operator=(BlobReader&&) noexcept;
  ~BlobReader();

  // Copies the next bytes into `out`; returns how many (0 at the end).
  // Throws Error if the version being read was deleted since the reader opened (see above: only
  // for a value in the database), StorageError on a storage failure.
  [[nodiscard]] std::size_t read(std::span<char> out);
  // The remaining bytes, whole (for values known to be small).
  [[nodiscard]] std::string read_all();
  // The metadata of the version being read.
  [[nodiscard]] const Metadata& metadata() const;
  // The same bytes as a std::istream (shares the read position with read()). On an error the
  // stream sets badbit; the error is rethrown by the next read() call.
  std::istream& stream();

  struct KVSTORE_HIDDEN State;  // the implementation: src/blob/stream_state.hpp

 private:
  friend class Store;
  explicit BlobReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class KVSTORE_EXPORT BlobWriter {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) noexcept;
  // Aborts an uncommitted write (errors are reported through Options::on_error).
  ~BlobWriter();

  // Appends bytes to the value. Throws InvalidArgument after commit(), abort() or a failure;
  // throws Error (and discards what was staged) if the cancel token was stopped; throws
  // StorageError when the bytes cannot be stored: the writer has then failed (below).
  void write(std::string_view chunk);
  // Makes the bytes durable, then publishes the value and its metadata atomically and publishes
  // one `set` event. Throws Error and publishes nothing if the cancel token was stopped (the
  // staged data is discarded). A no-op after a commit or an abort.
  // When it fails for any other reason (QuotaExceeded for a ScopedStore write past a quota,
  // StorageError, Busy), nothing is published and the writer has failed: what it staged is
  // discarded, and every later write() or commit() throws InvalidArgument (a value is never
  // published short of what was written); write the value again with a new writer.
  // Throws InvalidArgument, changing nothing, when called inside Store::transaction on this
  // thread: a streamed value is published on its own, never undone by a later rollback.
  void commit();
  // Discards everything staged. A no-op after a commit, an abort or a failure.
  void abort();
  [[nodiscard]] bool committed() const;

  struct KVSTORE_HIDDEN State;  // the implementation: src/blob/stream_state.hpp

 private:
  friend class Store;
  friend class detail::ScopedSeam;  // a ScopedStore's quota check at commit
  explicit BlobWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace kvstore
