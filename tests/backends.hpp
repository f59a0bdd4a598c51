// Runs a test case on both kinds of store: a file and ":memory:". The two differ inside (change
// log and namespace counts in tables or in memory, value files or chunk rows, change-feed polling
// or none), so a behaviour of the public API is asserted on each.
//
//   TEST_CASE("...") {
//     const auto backend = kvtest::each_backend();  // the case runs once per backend
//     kvstore::Store store(backend.path());
//
// Failure output names the backend ("backend: file" or "backend: :memory:").
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "support.hpp"

namespace kvtest {

enum class Backend { file, memory };

inline const char* to_string(Backend backend) {
  return backend == Backend::file ? "file" : ":memory:";
}

// Where one run of a test case keeps its store: a file in a fresh TempDir, or ":memory:".
// Names the backend in every failure reported while it lives.
class BackendLocation {
 public:
  explicit BackendLocation(Backend backend)
      : backend_(backend),
        dir_(backend == Backend::file ? std::make_unique<TempDir>() : nullptr),
        path_(dir_ ? dir_->file("store.db") : ":memory:"),
        message_(
            Catch::MessageBuilder("INFO"_catch_sr, CATCH_INTERNAL_LINEINFO, Catch::ResultWas::Info)
            << "backend: " << to_string(backend)) {}
  BackendLocation(const BackendLocation&) = delete;
  BackendLocation& operator=(const BackendLocation&) = delete;

  Backend backend() const { return backend_; }
  bool is_file() const { return backend_ == Backend::file; }
  bool is_memory() const { return backend_ == Backend::memory; }
  // The path to open a Store on; every Store opened on it shares the one database only for a
  // file (each ":memory:" Store is its own database).
  const std::string& path() const { return path_; }
  // The path of one more store of this backend, separate from path()'s: the file `name` in the
  // same directory, or ":memory:".
  std::string separate_path(const std::string& name) const {
    return dir_ ? dir_->file(name) : ":memory:";
  }
  const char* name() const { return to_string(backend_); }

 private:
  Backend backend_;
  std::unique_ptr<TempDir> dir_;
  std::string path_;
  Catch::ScopedMessage message_;
};

// Call once, at the top of a TEST_CASE (before any SECTION): the case runs once per backend.
inline BackendLocation each_backend() {
  return BackendLocation(GENERATE(Backend::file, Backend::memory));
}

}  // namespace kvtest
