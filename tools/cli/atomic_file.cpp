#include "atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "exit_codes.hpp"
#include "utf8.hpp"

namespace kvcli {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp-" + std::to_string(getpid())) {
  stream_.open(path_of(temporary_), std::ios::binary | std::ios::trunc);
  if (!stream_) {
    throw CliError(ExitCode::usage, "cannot write " + path_ + ": " + std::strerror(errno));
  }
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  stream_.close();
  std::error_code ignored;
  std::filesystem::remove(path_of(temporary_), ignored);
}

void AtomicFile::commit() {
  stream_.close();
  if (stream_.fail()) {
    throw CliError(ExitCode::store_error, "cannot write " + path_ + ": " + std::strerror(errno));
  }
  // std::filesystem::rename replaces an existing file on Windows too (std::rename refuses to).
  std::error_code error;
  std::filesystem::rename(path_of(temporary_), path_of(path_), error);
  if (error) {
    throw CliError(ExitCode::store_error, "cannot write " + path_ + ": " + error.message());
  }
  committed_ = true;
}

}  // namespace kvcli
