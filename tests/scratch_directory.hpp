// A new directory for the files of a test program that makes many (the failure sweep, the
// history checker): in $VARIABLE if it is set, else in /dev/shm (memory: the programs write and
// sync a lot), or in the system's temporary directory where /dev/shm cannot be written.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace kvtest {

inline std::filesystem::path make_scratch_directory(const char* variable, const std::string& name) {
  namespace fs = std::filesystem;
  const char* chosen = std::getenv(variable);
  fs::path base = chosen ? fs::path(chosen) : fs::path("/dev/shm");
  if (!chosen && ::access(base.c_str(), W_OK) != 0) base = fs::temp_directory_path();
  std::string pattern = (base / (name + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp in " + base.string());
  return pattern;
}

}  // namespace kvtest
