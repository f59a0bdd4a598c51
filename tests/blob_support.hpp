// Helpers of the streaming tests, and what streamed values left behind in a store file, looked at
// from outside kvstore: the blobs and blob_chunks tables (through a raw read-only connection) and
// the files of the
// "<database file>-blobs" directory that hold the values of a store on a file.
#pragma once

#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <random>
#include <set>
#include <string>

#include "quiet_options.hpp"
#include "raw_db.hpp"

namespace kvtest {

// n pseudo-random bytes; the same seed gives the same bytes.
inline std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

inline std::int64_t query_int(const std::string& path, const std::string& sql) {
  return RawDb(path, SQLITE_OPEN_READONLY).integer(sql);
}

inline std::filesystem::path blob_directory(const std::string& path) { return path + "-blobs"; }

// The blob ids of the value files in the store's "-blobs" directory.
inline std::set<std::int64_t> blob_file_ids(const std::string& path) {
  std::set<std::int64_t> ids;
  if (!std::filesystem::exists(blob_directory(path))) return ids;
  for (const auto& entry : std::filesystem::directory_iterator(blob_directory(path))) {
    const auto name = entry.path().filename().string();
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), id);
    if (error == std::errc() && end == name.data() + name.size()) ids.insert(id);
  }
  return ids;
}

inline std::int64_t blob_rows(const std::string& path) {
  return query_int(path, "SELECT count(*) FROM blobs");
}

// Pieces of staged or committed values: chunk rows, and value files.
inline std::int64_t staged_pieces(const std::string& path) {
  return query_int(path, "SELECT count(*) FROM blob_chunks") +
         static_cast<std::int64_t>(blob_file_ids(path).size());
}

// Bytes staged by the writer process `pid`: its chunk rows and its value files.
inline std::int64_t staged_bytes_of(const std::string& path, std::int64_t pid) {
  const auto of_pid = "(SELECT id FROM blobs WHERE writer_pid = " + std::to_string(pid) + ")";
  RawDb db(path, SQLITE_OPEN_READONLY);
  auto bytes = db.integer(
      "SELECT coalesce(sum(length(data)), 0) FROM blob_chunks WHERE blob_id IN " + of_pid);
  for (const auto& id : db.column("SELECT id FROM blobs WHERE in_file = 1 AND id IN " + of_pid)) {
    const auto file = blob_directory(path) / id;
    if (std::filesystem::exists(file)) bytes += std::filesystem::file_size(file);
  }
  return bytes;
}

// Pieces of values no kv row points at (staged by a writer still open, or left behind): chunk
// rows and value files; plus values a kv row points at whose file is missing.
inline std::int64_t leftovers(const std::string& path) {
  RawDb db(path, SQLITE_OPEN_READONLY);
  auto count = db.integer(
      "SELECT count(*) FROM blob_chunks WHERE blob_id NOT IN "
      "(SELECT blob_id FROM kv WHERE blob_id IS NOT NULL)");
  std::set<std::int64_t> pointed_at;
  for (const auto& id :
       db.column("SELECT b.id FROM kv JOIN blobs AS b ON b.id = kv.blob_id WHERE b.in_file = 1")) {
    pointed_at.insert(std::stoll(id));
  }
  const auto files = blob_file_ids(path);
  for (const auto id : files) count += pointed_at.count(id) == 0;
  for (const auto id : pointed_at) count += files.count(id) == 0;
  return count;
}

}  // namespace kvtest
