// The files that hold a file-backed Store's streamed values, one per value, named by blob id in
// the directory "<database file>-blobs". A value in a file of its own is written once and read
// with plain read(2), where staging it in SQLite pages would write it twice (WAL, then
// checkpoint) and read it 4 KiB page by page. The `blobs` table stays the record of which values
// exist: a file is created only after its row committed, and deleted only after the deletion of
// its row committed (see PendingChanges::removed_files), so a file without a row is garbage that
// the next open reclaims.
//
// Failures throw std::system_error naming the call and the path. Thread-safe: it holds only the
// directory's name; each file is used by the one writer or reader that opened it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "file_descriptor.hpp"

namespace kvstore::detail {

class BlobFiles {
 public:
  // `database_path`: the main database file, "" for a store without one (":memory:"), whose
  // streamed values then stay in the blob_chunks table.
  explicit BlobFiles(const std::string& database_path);

  // Whether this store keeps streamed values in files.
  bool enabled() const { return !directory_.empty(); }
  const std::string& directory() const { return directory_; }

  // Creates blob `id`'s file, empty and open for writing, and the directory if it is missing.
  // Throws if the file already exists.
  FileDescriptor create(std::int64_t id) const;
  // Opens blob `id`'s file for reading; nullopt if it does not exist.
  std::optional<FileDescriptor> open(std::int64_t id) const;
  // Like open(), for a value the database records: throws if the file does not exist.
  FileDescriptor open_recorded(std::int64_t id) const;
  // What is wrong with the file of recorded value `id` of `size` bytes ("" if nothing).
  std::string problem(std::int64_t id, std::uint64_t size) const;
  // Makes the files created so far durable in the directory (fsync of the directory).
  void sync_directory() const;
  // Deletes blob `id`'s file; one that does not exist is not an error.
  void remove(std::int64_t id) const;
  // The ids of the files in the directory, in no order. Entries whose name is not an id are
  // not kvstore's and are left out.
  std::vector<std::int64_t> list() const;

 private:
  std::string path_of(std::int64_t id) const;

  std::string directory_;
};

}  // namespace kvstore::detail
