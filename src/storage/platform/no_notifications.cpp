// FileNotifications where the build has none for the system (every system but Linux; see
// platform.hpp): a database's watch is unavailable and its change feed polls.
#include "storage/platform/platform.hpp"

namespace kvstore::detail {

std::unique_ptr<FileNotifications> watch_database_files(const std::filesystem::path&) {
  return nullptr;
}

}  // namespace kvstore::detail
