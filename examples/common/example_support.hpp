// Plumbing shared by the examples, not part of what they show: a scratch directory and a check
// that prints what held.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>

namespace example {

// A fresh directory under the system's temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) {
    std::random_device random;
    path = std::filesystem::temp_directory_path() /
           ("kvstore-example-" + name + "-" + std::to_string(getpid()) + "-" +
            std::to_string(random()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Throws (the example then exits non-zero) unless `ok`; prints what held.
inline void expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("check failed: " + what);
  std::cout << "ok: " << what << "\n";
}

}  // namespace example
