// The state behind BlobWriter and BlobReader handles.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <streambuf>
#include <string>

#include "core/store_impl.hpp"
#include "kvstore/blob.hpp"
#include "storage/file_system.hpp"
#include "util/operation.hpp"

namespace kvstore {

// Bytes are staged in rows of this size: the writer's memory stays below it whatever the value.
inline constexpr std::size_t kBlobChunkBytes = 256 * 1024;
// A committed stream's `set` event carries the value up to this size, and '' above it.
inline constexpr std::uint64_t kBlobEventValueLimit = 64 * 1024;

struct BlobWriter::State {
  // failed: a write() or commit() failed and discarded what was staged; unlike aborted (the
  // caller's choice), a later commit() then throws instead of doing nothing.
  enum class Status { open, committed, aborted, failed };

  std::weak_ptr<Store::Impl> store;
  std::string group, key;
  Metadata metadata;
  std::stop_token cancel;
  // Runs inside the commit's write, before the row is stored (ScopedStore's quota check).
  std::function<void(detail::HeldStore&, const detail::Operation&, std::int64_t now)> before_commit;
  std::int64_t blob_id = 0;
  // The value's file (BlobFiles), for a store on a file, open and locked until the value is
  // committed or discarded (the lock tells other openers that this writer is alive). Without
  // one, the bytes are staged in blob_chunks rows.
  std::unique_ptr<detail::File> file;
  std::int64_t next_seq = 0;
  std::uint64_t size = 0;
  std::string buffer;  // bytes not yet staged in a row, < kBlobChunkBytes
  Status status = Status::open;

  detail::Operation operation(std::string_view name) const {
    return detail::Operation::of(name, group, key);
  }
  std::shared_ptr<Store::Impl> lock_store(const detail::Operation& op) const;
  // Appends bytes to the value: to its file, or to its rows through `buffer`.
  void append(std::string_view bytes);
  void stage(std::string_view bytes);
  // Makes the staged bytes durable and publishes the value (commit's work).
  void publish(Store::Impl& impl, const detail::Operation& op);
  // Discards everything staged and ends the writer with `outcome` (aborted or failed).
  void discard(Status outcome) noexcept;
};

struct BlobReader::State : std::streambuf {
  State() : stream(this) {}

  // Loads the next chunk into `chunk`; false at the end of the value.
  bool fetch();
  int_type underflow() override;

  std::weak_ptr<Store::Impl> store;
  std::string group, key;
  Metadata metadata;
  std::optional<std::int64_t> blob_id;  // nullopt: a plain value, whole in `chunk`
  // The value's file, for a value kept in one: open since open_reader, so a replaced or deleted
  // value is still read whole (POSIX keeps an unlinked file's data while it is open).
  std::unique_ptr<detail::File> file;
  std::string chunk;
  std::size_t position = 0;  // in chunk
  std::int64_t next_seq = 0;
  std::uint64_t delivered = 0;  // bytes moved into chunk so far
  std::exception_ptr error;     // met by the stream, rethrown by the next read()
  std::istream stream;
};

}  // namespace kvstore
