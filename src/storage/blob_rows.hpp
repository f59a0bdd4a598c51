// The rows of streamed values (migrations 0005 and 0006): blobs, one per value, and blob_chunks,
// a value's bytes when they are not in a file. Every statement that reads or writes them, with its
// parameters and columns. Each prepared on its first use, then reused. Guarded by the Store's
// connection lock, like the connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/prepared_statement.hpp"

namespace kvstore::detail {

class BlobRows {
 public:
  explicit BlobRows(SQLite::Database& db);

  // Stages a new blob; returns its id. `writer_pid` is for a person reading the file; `in_file`:
  // its bytes go to a file (see 0006_blob_files.sql).
  std::int64_t create(std::int64_t writer_pid, std::int64_t now, bool in_file);
  void insert_chunk(std::int64_t blob_id, std::int64_t seq, std::string_view data);
  // Reads chunk `seq` into `data`; false if there is none.
  bool read_chunk(std::int64_t blob_id, std::int64_t seq, std::string& data);
  // Appends every chunk of the blob to `value`, in order.
  void append_chunks(std::int64_t blob_id, std::string& value);
  // Marks a staged blob committed with its size; false if it is gone (nothing changed).
  bool finish(std::int64_t blob_id, std::int64_t size);
  void delete_chunks(std::int64_t blob_id);
  // Deletes the blob's record; returns whether its bytes are in a file, nullopt if there was no
  // such blob.
  std::optional<bool> delete_blob(std::int64_t blob_id);

  struct Storage {
    bool in_file;
    std::int64_t size;
  };
  // Where a blob's bytes are and how many; nullopt if there is no such blob.
  std::optional<Storage> storage(std::int64_t blob_id);
  struct Staged {
    std::int64_t id;
    bool in_file;
  };
  // Every staged (uncommitted) blob.
  std::vector<Staged> staged();
  // The ids of the committed blobs that no row points to any more.
  std::vector<std::int64_t> orphans();

 private:
  PreparedStatement create_;
  PreparedStatement insert_chunk_;
  PreparedStatement select_chunk_;
  PreparedStatement select_chunks_;
  PreparedStatement finish_;
  PreparedStatement delete_chunks_;
  PreparedStatement delete_blob_;
  PreparedStatement storage_;
  PreparedStatement staged_;
  PreparedStatement orphans_;
};

}  // namespace kvstore::detail
