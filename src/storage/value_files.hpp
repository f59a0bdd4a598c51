// The files that hold a file-backed Store's streamed values, one per value, named by blob id in
// the directory "<database file>-blobs". A value in a file of its own is written once and read
// with plain read(2), where staging it in SQLite pages would write it twice (WAL, then
// checkpoint) and read it 4 KiB page by page. The `blobs` table stays the record of which values
// exist:
// - a file is created, and locked by its writer, inside the write transaction that inserts its
//   row (BlobWriter), so once that commits the row and the file exist together;
// - the writer keeps the lock until its value is committed or discarded, so a staged row whose
//   file is not locked was left by a writer that is gone (lock, not process id: it holds across
//   containers sharing a volume, and a reused pid does not keep garbage alive);
// - a file is deleted only after the deletion of its row committed (PendingChanges), so a file
//   without a row is garbage, reclaimed under a write transaction (no row can be on its way).
//
// Failures throw std::system_error naming the call and the path. Thread-safety: it holds only
// the directory's name and the file system; each File is used by the one writer or reader that
// opened it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/file_system.hpp"

namespace kvstore::detail {

class BlobFiles {
 public:
  // `database_path`: the main database file, "" for a store without one (":memory:"), whose
  // streamed values then stay in the blob_chunks table.
  BlobFiles(const std::string& database_path, FileSystem& files);

  // Whether this store keeps streamed values in files.
  bool enabled() const { return !directory_.empty(); }
  const std::string& directory() const { return directory_; }

  // Creates blob `id`'s file, empty, open for writing and locked, and the directory if it is
  // missing. Call it in the transaction that inserts the blob's row: a file already there is
  // garbage of a rolled-back staging and is replaced.
  std::unique_ptr<File> create(std::int64_t id) const;
  // Opens blob `id`'s file for reading; nullptr if it does not exist.
  std::unique_ptr<File> open(std::int64_t id) const;
  // Like open(), for a value the database records: throws if the file does not exist.
  std::unique_ptr<File> open_recorded(std::int64_t id) const;
  // Throws the error of a recorded value whose file is missing.
  [[noreturn]] void throw_missing(std::int64_t id) const;
  // Whether the writer of staged blob `id` still holds its file (see above).
  bool writer_is_live(std::int64_t id) const;
  // What is wrong with the file of recorded value `id` of `size` bytes ("" if nothing).
  std::string problem(std::int64_t id, std::uint64_t size) const;
  // Makes the files created so far durable in the directory (fsync of the directory).
  void sync_directory() const;
  // Deletes blob `id`'s file; one that does not exist is not an error.
  void remove(std::int64_t id) const;
  // The ids of the files in the directory, in no order. Entries that are not regular files or
  // whose name is not an id are not kvstore's and are left out.
  std::vector<std::int64_t> list() const;

 private:
  std::string path_of(std::int64_t id) const;

  std::string directory_;
  FileSystem& files_;
};

}  // namespace kvstore::detail
