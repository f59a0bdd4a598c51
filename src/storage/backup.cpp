#include "storage/backup.hpp"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "storage/file_system.hpp"
#include "storage/platform/platform.hpp"
#include "util/utf8_path.hpp"

namespace kvstore::detail {
namespace {

// Removes its file when destroyed while armed: whatever fails, nothing half-written stays.
class FileUndo {
 public:
  FileUndo(std::string path, bool armed) : path_(std::move(path)), armed_(armed) {}
  ~FileUndo() {
    if (!armed_) return;
    try {
      operating_system_files().remove(path_);
    } catch (const std::system_error&) {  // best effort: the next backup removes a leftover
    }
  }
  FileUndo(const FileUndo&) = delete;
  FileUndo& operator=(const FileUndo&) = delete;
  const std::string& path() const { return path_; }
  void arm() noexcept { armed_ = true; }
  void keep() noexcept { armed_ = false; }

 private:
  std::string path_;
  bool armed_;
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
  guarded(op, [&] {  // from the first allocation: running out of memory is a StorageError too
    std::error_code ignored;
    if (std::filesystem::symlink_status(path_of_utf8(destination), ignored).type() !=
        std::filesystem::file_type::not_found) {
      throw InvalidArgument(op.message("the backup file \"" + destination +
                                       "\" already exists; it is never overwritten"));
    }
    if (!std::filesystem::exists(path_of_utf8(path))) {
      throw StorageError(op.message("the file \"" + path + "\" does not exist"), SQLITE_CANTOPEN);
    }
    // Everything that allocates comes before the link: after it, a failure must undo it.
    const auto parent = path_of_utf8(destination).parent_path();
    const std::string directory = parent.empty() ? "." : utf8_of(parent);
    FileUndo partial(destination + ".partial", true);
    FileUndo linked(destination, false);
    operating_system_files().remove(partial.path());  // a leftover of an interrupted backup
    copy_pages(path, partial.path(), op);
    // link_file fails if `destination` appeared meanwhile: it is never replaced.
    try {
      link_file(partial.path(), destination);
    } catch (const std::system_error& e) {
      throw StorageError(op.message("cannot create \"" + destination + "\": " + e.code().message()),
                         SQLITE_CANTOPEN);
    }
    // Until the directory is synced the backup may vanish in a power cut: a failed sync fails
    // the call, which then leaves no backup.
    linked.arm();
    file_system().sync_directory(directory);
    linked.keep();
  });
}

}  // namespace kvstore::detail
