#include "storage/database_path.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "kvstore/errors.hpp"
#include "storage/file_system.hpp"
#include "util/operation.hpp"
#include "util/utf8_path.hpp"

namespace kvstore::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const Operation& op, const std::string& detail,
                       int sqlite_code = SQLITE_CANTOPEN) {
  throw StorageError(op.message(detail), sqlite_code);
}

std::string in_quotes(const fs::path& path) { return '"' + utf8_of(path) + '"'; }

// What a path names (following symbolic links: a link to a directory is one).
enum class Entry { missing, directory, other };

Entry entry_at(const fs::path& path, const Operation& op) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  // Missing also when something above `path` is not a directory (ENOTDIR); walking up finds it.
  if (status.type() == fs::file_type::not_found) return Entry::missing;
  if (error) fail(op, "cannot look up " + in_quotes(path) + ": " + error.message());
  return fs::is_directory(status) ? Entry::directory : Entry::other;
}

// The directories from `directory` up to the first that exists, deepest first (none when
// `directory` exists). Throws if what exists there is not a directory. A relative path stops at
// the current directory, which exists (or mkdir says otherwise).
std::vector<fs::path> missing_directories(const fs::path& directory, const Operation& op) {
  std::vector<fs::path> missing;
  for (fs::path at = directory; !at.empty(); at = at.parent_path()) {
    const Entry entry = entry_at(at, op);
    if (entry == Entry::directory) break;
    if (entry == Entry::other && at == directory) fail(op, in_quotes(at) + " is not a directory");
    if (entry == Entry::other) {
      fail(op, "the directory " + in_quotes(directory) + " cannot exist: " + in_quotes(at) +
                   " is not a directory");
    }
    missing.push_back(at);
    if (at == at.parent_path()) break;  // the root, found missing: mkdir will tell
  }
  return missing;
}

int sqlite_code_of(const std::system_error& e, int otherwise) {
  return is_disk_full(e.code()) ? SQLITE_FULL : otherwise;
}

// The directories one open created, removed again (deepest first, best effort) unless it
// succeeds: a failed open leaves the file system as it found it. Only empty directories go, so a
// directory another opener has meanwhile put something into stays.
class CreatedDirectories {
 public:
  explicit CreatedDirectories(FileSystem& files) : files_(files) {}
  ~CreatedDirectories() {
    for (auto dir = created_.rbegin(); dir != created_.rend(); ++dir) {
      try {
        files_.remove_directory(utf8_of(*dir));
      } catch (const std::system_error&) {
        return;  // not empty, or not removable: what is above it is not empty either
      }
    }
  }
  CreatedDirectories(const CreatedDirectories&) = delete;
  CreatedDirectories& operator=(const CreatedDirectories&) = delete;

  void add(const fs::path& dir) { created_.push_back(dir); }
  void keep() { created_.clear(); }

 private:
  FileSystem& files_;
  std::vector<fs::path> created_;  // top down
};

// Creates `missing` (deepest first, as missing_directories lists them) from the top down, each
// synced into its parent: SQLite syncs the directory holding the database (with its -wal), not
// the ones above it. A directory another opener created meanwhile is synced too, since this
// open cannot know whether the other one got that far. On failure the directories this call
// created are removed again.
void create_directories(const std::vector<fs::path>& missing, const Operation& op) {
  FileSystem& files = file_system();
  CreatedDirectories created(files);
  for (auto dir = missing.rbegin(); dir != missing.rend(); ++dir) {
    try {
      if (files.make_directory(utf8_of(*dir))) {
        created.add(*dir);
      } else if (entry_at(*dir, op) != Entry::directory) {
        fail(op, "cannot create the directory " + in_quotes(*dir) + ": " + in_quotes(*dir) +
                     " is not a directory");
      }
    } catch (const std::system_error& e) {
      fail(op, "cannot create the directory " + in_quotes(*dir) + ": " + e.code().message(),
           sqlite_code_of(e, SQLITE_CANTOPEN));
    }
    const fs::path parent = dir->has_parent_path() ? dir->parent_path() : fs::path(".");
    try {
      files.sync_directory(utf8_of(parent));
    } catch (const std::system_error& e) {
      fail(op,
           "cannot sync the directory " + in_quotes(parent) + " after creating " + in_quotes(*dir) +
               ": " + e.code().message(),
           SQLITE_IOERR_DIR_FSYNC);
    }
  }
  created.keep();
}

}  // namespace

void prepare_database_path(const std::string& path, const Options& options) {
  const auto op = Operation::of("open", path);
  const fs::path directory = path_of_utf8(path).parent_path();
  if (options.read_only) {
    if (entry_at(path_of_utf8(path), op) != Entry::missing)
      return;  // SQLite reports what else is wrong
    if (!missing_directories(directory, op).empty()) {
      fail(op, "the file " + in_quotes(path) + " does not exist, nor its directory " +
                   in_quotes(directory) + " (a read_only open creates nothing)");
    }
    fail(op, "the file " + in_quotes(path) + " does not exist (a read_only open creates nothing)");
  }
  const auto missing = missing_directories(directory, op);
  if (missing.empty()) return;
  if (!options.create_parent_directories) {
    const std::string first_missing =
        missing.back() == directory ? "" : ": " + in_quotes(missing.back()) + " is missing";
    fail(op, "the directory " + in_quotes(directory) + " does not exist" + first_missing +
                 " (Options::create_parent_directories is off)");
  }
  create_directories(missing, op);
}

}  // namespace kvstore::detail
