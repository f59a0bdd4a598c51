#include "atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "exit_codes.hpp"

namespace kvcli {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temporary_(path_ + ".tmp-" + std::to_string(getpid())) {
  stream_.open(temporary_, std::ios::binary | std::ios::trunc);
  if (!stream_) {
    throw CliError(ExitCode::usage, "cannot write " + path_ + ": " + std::strerror(errno));
  }
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  stream_.close();
  std::remove(temporary_.c_str());
}

void AtomicFile::commit() {
  stream_.close();
  if (stream_.fail() || std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    throw CliError(ExitCode::store_error, "cannot write " + path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace kvcli
