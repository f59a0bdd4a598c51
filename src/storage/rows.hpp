// Every data statement the Store runs, by table. Constructing them prepares nothing: each is
// prepared on its first use (after the open brought the schema up to date), then reused. Guarded
// by the Store's connection lock, like the connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include "storage/blob_rows.hpp"
#include "storage/change_rows.hpp"
#include "storage/count_rows.hpp"
#include "storage/kv_rows.hpp"

namespace kvstore::detail {

struct Rows {
  explicit Rows(SQLite::Database& db) : kv(db), changes(db), counts(db), blobs(db) {}

  KvRows kv;
  ChangeRows changes;
  CountRows counts;
  BlobRows blobs;
};

}  // namespace kvstore::detail
