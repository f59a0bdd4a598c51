// The value-file seam (fault_file_system.hpp): faults reach kvstore's FileSystem calls as
// std::system_error, and a power cut loses unsynced bytes and unsynced directory entries.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <set>
#include <string>
#include <system_error>

#include "fault_control.hpp"
#include "fault_support.hpp"
#include "storage/file_system.hpp"
#include "support.hpp"

namespace {

using kvfault::Control;
using kvfault::LossMode;

std::optional<std::string> content_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A directory whose own entry is durable, with one durable file "a" holding "durable".
struct Durable {
  kvtest::TempDir dir;
  kvstore::detail::FileSystem& files = kvstore::detail::file_system();
  std::string directory = dir.file("blobs");
  std::string a = directory + "/a";

  Durable() {
    files.make_directory(directory);
    files.sync_directory(dir.path().string());
    auto file = files.create(a);
    file->write_all("durable");
    file->sync();
    files.sync_directory(directory);
  }
};

}  // namespace

TEST_CASE("value files: a fault makes the call throw std::system_error with its errno",
          "[fault][files]") {
  const kvfault_test::CleanControl clean;
  Durable durable;
  const auto code = GENERATE(SQLITE_IOERR_WRITE, SQLITE_FULL);
  Control::get().arm({kvfault::fs_write, 1, code, false});
  auto file = durable.files.create(durable.directory + "/b");
  try {
    file->write_all("x");
    FAIL("no fault");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == (code == SQLITE_FULL ? ENOSPC : EIO));
  }
  CHECK(Control::get().fired());
  CHECK_NOTHROW(file->write_all("y"));  // once, not persistent
}

TEST_CASE("value files: a power cut (drop) loses every unsynced byte and directory entry",
          "[fault][files]") {
  const kvfault_test::CleanControl clean;
  Durable durable;
  {
    auto file = durable.files.create(durable.directory + "/c");
    file->write_all("synced");
    file->sync();
    durable.files.sync_directory(durable.directory);
    file->write_all(" and not");
  }
  {
    auto more = durable.files.create(durable.directory + "/new");  // its entry is not synced
    more->write_all("new bytes");
    more->sync();
  }
  durable.files.remove(durable.a);  // not durable: the directory is not synced after it
  CHECK_FALSE(content_of(durable.a));
  Control::get().restore_power(LossMode::drop, 1);
  CHECK(content_of(durable.a) == std::optional<std::string>("durable"));
  CHECK(content_of(durable.directory + "/c") == std::optional<std::string>("synced"));
  CHECK_FALSE(content_of(durable.directory + "/new"));
  const auto names = durable.files.list(durable.directory);
  CHECK(std::set<std::string>(names.begin(), names.end()) == std::set<std::string>{"a", "c"});
}

TEST_CASE("value files: a power cut (tear) keeps or loses each unsynced change on its own",
          "[fault][files]") {
  const kvfault_test::CleanControl clean;
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Durable durable;
    auto file = durable.files.create(durable.directory + "/c");
    file->write_all(std::string(1024, 'x'));
    file.reset();
    durable.files.remove(durable.a);
    Control::get().restore_power(LossMode::tear, seed);
    const auto a = content_of(durable.a);
    const auto c = content_of(durable.directory + "/c");
    CHECK((!a || *a == "durable"));
    // Unsynced bytes: the size is the durable one (0) or the current one; each 512-byte sector
    // is kept or zeroed.
    if (c) CHECK((c->empty() || c->size() == 1024));
    if (c && !c->empty()) {
      for (const char byte : *c) CHECK((byte == 'x' || byte == '\0'));
    }
    outcomes.insert(std::string(a ? "a" : "-") + (c ? "c" : "-"));
  }
  CHECK(outcomes.size() == 4);  // each change is kept or lost independently
}
