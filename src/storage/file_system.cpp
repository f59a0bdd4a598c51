#include "storage/file_system.hpp"

#include <atomic>
#include <system_error>

namespace kvstore::detail {

namespace {

std::atomic<FileSystem*> replaced{nullptr};

}  // namespace

void File::read_exactly(std::span<char> out) {
  while (!out.empty()) {
    const auto n = read_some(out);
    if (n == 0) {
      throw std::system_error(std::make_error_code(std::errc::io_error),
                              "read " + path_ + ": the file ends " + std::to_string(out.size()) +
                                  " bytes before its recorded size");
    }
    out = out.subspan(n);
  }
}

FileSystem& file_system() {
  FileSystem* current = replaced.load();
  return current ? *current : operating_system_files();
}

FileSystem* replace_file_system(FileSystem* replacement) { return replaced.exchange(replacement); }

}  // namespace kvstore::detail
