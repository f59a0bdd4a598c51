// The path of a new store file: the missing directories above it are created
// (Options::create_parent_directories, on by default) with the default permissions, never by a
// read_only open; what cannot be opened or created throws StorageError naming the path and what
// is missing or in the way, and leaves the directory tree as it was.
#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <set>
#include <string>

#include "quiet_options.hpp"
#include "support.hpp"
#include "unprivileged.hpp"

namespace fs = std::filesystem;
using kvtest::contains;
using kvtest::TempDir;

namespace {

// Every path under `root`, with its type: what a failed open must leave as it found it.
std::set<std::string> tree(const fs::path& root) {
  std::set<std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    entries.insert(entry.path().string() + (entry.is_directory() ? "/" : ""));
  }
  return entries;
}

kvstore::Options with(bool read_only, bool create_parent_directories) {
  auto options = kvtest::quiet();
  options.read_only = read_only;
  options.create_parent_directories = create_parent_directories;
  return options;
}

// The StorageError opening `path` with `options` throws; fails the test if it opens.
std::optional<kvstore::StorageError> open_error(const std::string& path,
                                                const kvstore::Options& options) {
  try {
    kvstore::Store store(path, options);
  } catch (const kvstore::StorageError& e) {
    return e;
  }
  FAIL_CHECK("opened " << path);
  return std::nullopt;
}

// Sets the process's umask for the lifetime of the object.
class Umask {
 public:
  explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
  ~Umask() { ::umask(previous_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t previous_;
};

mode_t permissions_of(const fs::path& path) {
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  return status.st_mode & 07777;
}

std::string in_quotes(const std::string& path) { return '"' + path + '"'; }

}  // namespace

TEST_CASE("database path: the missing directories above a new file are created", "[store][path]") {
  TempDir dir;
  const Umask mask(027);  // a mask no default would match by chance
  const auto path = dir.file("a/b/c/app.db");
  {
    kvstore::Store store(path, kvtest::quiet());  // create_parent_directories: on by default
    store.set("g", "k", "v");
  }
  for (const char* created : {"a", "a/b", "a/b/c"}) {
    INFO(created);
    CHECK(fs::is_directory(dir.path() / created));
    CHECK(permissions_of(dir.path() / created) == mode_t{0750});
  }
  kvstore::Store reopened(path, with(true, true));
  CHECK(reopened.get("g", "k") == "v");
}

TEST_CASE("database path: an existing directory, or one named with . and .., is used as it is",
          "[store][path]") {
  TempDir dir;
  fs::create_directory(dir.path() / "x");
  const auto name = GENERATE(as<std::string>{}, "x/app.db", "x/./y/../y/app.db", "x/z/./app.db");
  kvstore::Store(dir.file(name), kvtest::quiet()).set("g", "k", name);
  CHECK(kvstore::Store(dir.file(name), with(true, false)).get("g", "k") == name);
}

TEST_CASE(
    "database path: with create_parent_directories off, a missing directory is an error "
    "naming the path and the directory",
    "[store][path]") {
  TempDir dir;
  const auto before = tree(dir.path());
  SECTION("the directory above the file is missing") {
    const auto path = dir.file("y/app.db");
    const auto error = open_error(path, with(false, false));
    REQUIRE(error);
    CHECK(error->sqlite_code() == SQLITE_CANTOPEN);
    CHECK(std::string(error->what()) ==
          "kvstore: open " + path + ": the directory " + in_quotes(dir.file("y")) +
              " does not exist (Options::create_parent_directories is off)");
  }
  SECTION("directories further up are missing: the first one is named too") {
    const auto path = dir.file("x/y/app.db");
    const auto error = open_error(path, with(false, false));
    REQUIRE(error);
    CHECK(contains(error->what(), path));
    CHECK(contains(error->what(), "the directory " + in_quotes(dir.file("x/y")) +
                                      " does not exist: " + in_quotes(dir.file("x")) +
                                      " is missing"));
  }
  CHECK(tree(dir.path()) == before);
}

TEST_CASE("database path: a read_only open creates nothing and names the missing file",
          "[store][path][read_only]") {
  TempDir dir;
  const auto before = tree(dir.path());
  const bool create_parent_directories = GENERATE(true, false);
  SECTION("in an existing directory") {
    const auto path = dir.file("missing.db");
    const auto error = open_error(path, with(true, create_parent_directories));
    REQUIRE(error);
    CHECK(error->sqlite_code() == SQLITE_CANTOPEN);
    CHECK(std::string(error->what()) == "kvstore: open " + path + ": the file " + in_quotes(path) +
                                            " does not exist (a read_only open creates nothing)");
  }
  SECTION("in missing directories") {
    const auto path = dir.file("x/y/missing.db");
    const auto error = open_error(path, with(true, create_parent_directories));
    REQUIRE(error);
    CHECK(contains(error->what(), "the file " + in_quotes(path) +
                                      " does not exist, nor its "
                                      "directory " +
                                      in_quotes(dir.file("x/y"))));
  }
  CHECK(tree(dir.path()) == before);
}

TEST_CASE("database path: a file where a directory should be is an error naming it",
          "[store][path]") {
  TempDir dir;
  const auto file = dir.file("settings");
  std::ofstream(file) << "not a directory";
  const auto before = tree(dir.path());
  const bool read_only = GENERATE(false, true);
  const bool create_parent_directories = GENERATE(true, false);
  INFO("read_only " << read_only << ", create_parent_directories " << create_parent_directories);
  SECTION("as the file's directory") {
    const auto error = open_error(file + "/app.db", with(read_only, create_parent_directories));
    REQUIRE(error);
    CHECK(error->sqlite_code() == SQLITE_CANTOPEN);
    CHECK(contains(error->what(), ": " + in_quotes(file) + " is not a directory"));
  }
  SECTION("further up") {
    const auto path = file + "/sub/app.db";
    const auto error = open_error(path, with(read_only, create_parent_directories));
    REQUIRE(error);
    CHECK(contains(error->what(), path));
    CHECK(contains(error->what(), "the directory " + in_quotes(file + "/sub") +
                                      " cannot exist: " + in_quotes(file) + " is not a directory"));
  }
  CHECK(tree(dir.path()) == before);
}

TEST_CASE("database path: a directory that cannot be created is an error naming it",
          "[store][path][faults]") {
  TempDir dir;
  // The unprivileged child must reach the locked directory.
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const auto locked = dir.path() / "locked";
  fs::create_directory(locked);
  REQUIRE(::chmod(locked.c_str(), 0555) == 0);
  const auto before = tree(dir.path());
  const auto path = (locked / "new/app.db").string();

  const auto body = [&]() -> int {
    try {
      kvstore::Store store(path, kvtest::quiet());
      return kvtest::step_failed(1, "opened a store under a chmod 0555 directory");
    } catch (const kvstore::StorageError& e) {
      const std::string expected = "cannot create the directory " +
                                   in_quotes((locked / "new").string()) + ": Permission denied";
      if (e.sqlite_code() != SQLITE_CANTOPEN) return kvtest::step_failed(2, e.what());
      if (!contains(e.what(), path) || !contains(e.what(), expected)) {
        return kvtest::step_failed(3, e.what());
      }
    }
    return 0;
  };
  if (!kvtest::check_unprivileged(body)) return;
  CHECK(tree(dir.path()) == before);
}
