// An output file that appears whole or not at all: written under a temporary name next to it and
// renamed into place by commit(); removed if never committed (an export that failed midway).
#pragma once

#include <fstream>
#include <string>

namespace kvcli {

class AtomicFile {
 public:
  // Throws CliError (usage) if the temporary file cannot be created.
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return stream_; }
  // Flushes and renames into place; throws CliError (store_error) on a write error.
  void commit();

 private:
  std::string path_, temporary_;
  std::ofstream stream_;
  bool committed_ = false;
};

}  // namespace kvcli
