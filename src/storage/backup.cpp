#include "storage/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "storage/file_system.hpp"

namespace kvstore::detail {
namespace {

// Removes the partial copy unless released: whatever fails, nothing half-written stays.
class PartialFile {
 public:
  explicit PartialFile(std::string path) : path_(std::move(path)) {}
  ~PartialFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void copy_pages(const std::string& path, const std::string& copy, const Operation& op) {
  SQLite::Database source(path, SQLite::OPEN_READONLY);
  SQLite::Database target(copy, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  // The copy is committed with fsync (a rollback-journal file under synchronous=FULL).
  target.exec("PRAGMA synchronous=FULL");
  SQLite::Backup backup(target, source);
  const int rc = backup.executeStep();  // every page in one step: a consistent snapshot
  if (rc != SQLITE_DONE) {
    throw StorageError(op.message(std::string("copying the file: ") + sqlite3_errstr(rc)), rc);
  }
}

}  // namespace

void copy_database(const std::string& path, const std::string& destination, const Operation& op) {
  std::error_code ignored;
  if (std::filesystem::symlink_status(destination, ignored).type() !=
      std::filesystem::file_type::not_found) {
    throw InvalidArgument(op.message("the backup file \"" + destination +
                                     "\" already exists; it is never overwritten"));
  }
  guarded(op, [&] {
    if (!std::filesystem::exists(path)) {
      throw StorageError(op.message("the file \"" + path + "\" does not exist"), SQLITE_CANTOPEN);
    }
    PartialFile partial(destination + ".partial");
    ::unlink(partial.path().c_str());  // a leftover of an earlier, interrupted backup
    copy_pages(path, partial.path(), op);
    // link() fails if `destination` appeared meanwhile: it is never replaced.
    if (::link(partial.path().c_str(), destination.c_str()) != 0) {
      const int error = errno;
      throw StorageError(
          op.message("cannot create \"" + destination + "\": " + std::strerror(error)),
          SQLITE_CANTOPEN);
    }
    const auto directory = std::filesystem::path(destination).parent_path();
    operating_system_files().sync_directory(directory.empty() ? "." : directory.string());
  });
}

}  // namespace kvstore::detail
