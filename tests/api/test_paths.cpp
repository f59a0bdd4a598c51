// A store's path is a std::filesystem::path: one with non-ASCII characters (which Windows keeps
// in UTF-16 and the store passes on as UTF-8) opens, creates its missing directories, keeps its
// streamed values in files next to it and reopens to the same content, with the files where the
// path says.
#include <catch2/catch.hpp>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <string>

#include "support.hpp"

namespace {

namespace fs = std::filesystem;

// "données/日本/ключ.db": Latin, CJK and Cyrillic letters, in UTF-8 source bytes.
fs::path unicode_database_in(const fs::path& directory) {
  return directory / fs::path(u8"donn\u00e9es") / fs::path(u8"\u65e5\u672c") /
         fs::path(u8"\u043a\u043b\u044e\u0447.db");
}

}  // namespace

TEST_CASE("a store at a non-ASCII path round-trips its values, inline and streamed", "[paths]") {
  const kvtest::TempDir dir;
  const fs::path path = unicode_database_in(dir.path());
  const std::string streamed(256 * 1024, 'v');
  {
    kvstore::Store store(path);
    store.set("g", "inline", "small");
    auto writer = store.begin_set("g", "streamed");
    writer.write(streamed);
    writer.commit();
  }
  CHECK(fs::is_regular_file(path));
  fs::path blobs = path;
  blobs += "-blobs";
  CHECK(fs::is_directory(blobs));
  CHECK_FALSE(fs::is_empty(blobs));

  kvstore::Store reopened(path);
  CHECK(reopened.get("g", "inline") == "small");
  auto reader = reopened.open_reader("g", "streamed");
  REQUIRE(reader);
  CHECK(reader->read_all() == streamed);
}
