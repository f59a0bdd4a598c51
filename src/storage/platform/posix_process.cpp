// The process and its rights (storage/platform/platform.hpp) on POSIX calls.
#include <unistd.h>

#include "storage/platform/platform.hpp"

namespace kvstore::detail {

std::int64_t current_process_id() noexcept { return ::getpid(); }

bool may_create_files_in(const std::string& directory) {
  return ::access(directory.c_str(), W_OK) == 0;
}

}  // namespace kvstore::detail
