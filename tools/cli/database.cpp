#include "database.hpp"

#include <filesystem>

#include "exit_codes.hpp"
#include "utf8.hpp"

namespace kvcli {
namespace {

namespace fs = std::filesystem;

// The path checks SQLite would answer vaguely ("unable to open database file", "disk I/O error"):
// named here plainly, before any file is touched.
const std::string& checked(const std::string& path, Access access) {
  if (path == ":memory:") return path;
  std::error_code ignored;
  const auto status = fs::status(path_of(path), ignored);
  if (fs::is_directory(status)) {
    throw CliError(ExitCode::store_error, path + ": is a directory, not a store file");
  }
  if (access != Access::write_create && !fs::exists(status)) {
    const auto directory = path_of(path).parent_path();
    if (!directory.empty() && !fs::is_directory(directory, ignored)) {
      throw CliError(ExitCode::store_error, path + ": no such store file (the directory " +
                                                utf8_of(directory) + " does not exist)");
    }
    throw CliError(ExitCode::store_error, path + ": no such store file");
  }
  return path;
}

kvstore::Options options_for(Access access, std::chrono::milliseconds external_poll) {
  kvstore::Options options;
  options.read_only = access == Access::read_only;
  // A write command never migrates behind the user's back: `kvstore migrate` does, after asking.
  options.migrate_older_schema = access == Access::migrate;
  options.purge_interval =
      std::chrono::milliseconds(0);  // a short-lived process: purge is a command
  options.external_poll_interval = external_poll;
  return options;
}

// The store at `path`; a write open refused for an older schema becomes the advice to migrate.
kvstore::Store open_store(const std::string& path, Access access,
                          std::chrono::milliseconds external_poll) {
  try {
    return kvstore::Store(path_of(checked(path, access)), options_for(access, external_poll));
  } catch (const kvstore::SchemaError&) {
    if (access == Access::read_only) throw;
    const int version = schema_version_of(path);
    if (version >= kvstore::latest_schema_version()) throw;
    throw CliError(ExitCode::store_error,
                   path + ": schema version " + std::to_string(version) +
                       describe_version(version) + " is older than this kvstore's " +
                       std::to_string(kvstore::latest_schema_version()) +
                       "; nothing was changed. Run `kvstore --db " + path +
                       " migrate` to upgrade it (go-store cannot write it afterwards)");
  }
}

}  // namespace

int schema_version_of(const std::string& path) {
  kvstore::Options options;
  options.read_only = true;
  options.purge_interval = std::chrono::milliseconds(0);
  options.external_poll_interval = std::chrono::milliseconds(0);
  return kvstore::Store(path_of(path), options).stats().schema_version;
}

std::string describe_version(int version) { return version == 0 ? " (go-store)" : ""; }

Database::Database(const std::string& path, Access access, const std::string& ns,
                   std::chrono::milliseconds external_poll)
    : path_(path), store_(open_store(path, access, external_poll)) {
  if (!ns.empty()) scoped_.emplace(store_, ns);
}

}  // namespace kvcli
