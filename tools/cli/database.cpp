#include "database.hpp"

#include <filesystem>

#include "exit_codes.hpp"

namespace kvcli {
namespace {

// Opening through SQLite with read_only would also fail on a missing file, but this message
// names the path plainly and no file is ever touched.
const std::string& existing(const std::string& path, Access access) {
  std::error_code ignored;
  if (access != Access::write_create && path != ":memory:" &&
      !std::filesystem::exists(path, ignored)) {
    throw CliError(ExitCode::store_error, path + ": no such store file");
  }
  return path;
}

kvstore::Options options_for(Access access, std::chrono::milliseconds external_poll) {
  kvstore::Options options;
  options.read_only = access == Access::read_only;
  options.purge_interval =
      std::chrono::milliseconds(0);  // a short-lived process: purge is a command
  options.external_poll_interval = external_poll;
  return options;
}

}  // namespace

Database::Database(const std::string& path, Access access, const std::string& ns,
                   std::chrono::milliseconds external_poll)
    : path_(path), store_(existing(path, access), options_for(access, external_poll)) {
  if (!ns.empty()) scoped_.emplace(store_, ns);
}

}  // namespace kvcli
