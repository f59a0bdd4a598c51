// Tests of SectorJournal on a plain file, without SQLite: what drop and tear leave of the writes
// and truncations made since the last sync, sector by sector. SQLite's recovery (the power tests in
// test_fault_vfs.cpp) would hide a tear that never tears: any whole-file outcome is consistent.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>

#include "fault_support.hpp"
#include "sector_journal.hpp"
#include "support.hpp"

using kvfault::LossMode;
using kvfault::SectorJournal;
using kvtest::TempDir;

namespace {

constexpr std::int64_t kSector = SectorJournal::kSectorSize;

std::string sectors(char fill, std::int64_t count) {
  return std::string(static_cast<std::size_t>(count * kSector), fill);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file written the way a wrapper writes: the journal hears of each change first.
class JournaledFile {
 public:
  JournaledFile(SectorJournal& journal, const std::string& path, const std::string& content)
      : journal_(journal), path_(path) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path);
    file_ = journal_.open(path, static_cast<std::int64_t>(content.size()));
  }
  ~JournaledFile() { ::close(fd_); }
  JournaledFile(const JournaledFile&) = delete;
  JournaledFile& operator=(const JournaledFile&) = delete;

  void write(std::int64_t offset, const std::string& bytes) {
    REQUIRE(
        journal_.before_write(*file_, offset, static_cast<std::int64_t>(bytes.size()), reader()));
    REQUIRE(::pwrite(fd_, bytes.data(), bytes.size(), offset) ==
            static_cast<ssize_t>(bytes.size()));
  }
  void truncate(std::int64_t size) {
    REQUIRE(journal_.before_truncate(*file_, size, this->size(), reader()));
    REQUIRE(::ftruncate(fd_, size) == 0);
  }
  void sync() { journal_.synced(*file_, size()); }
  std::int64_t size() const { return static_cast<std::int64_t>(::lseek(fd_, 0, SEEK_END)); }

 private:
  SectorJournal::Reader reader() {
    return [this](std::int64_t offset, std::span<char> out) {
      return ::pread(fd_, out.data(), out.size(), offset) >= 0;
    };
  }

  SectorJournal& journal_;
  std::string path_;
  int fd_ = -1;
  SectorJournal::FileRef file_;
};

// What is left of a file of `size` sectors of 'a' at `path` after `change` changed it without a
// sync and the power cut tore it (LossMode::tear, with `seed`).
std::string torn(const std::string& path, std::int64_t size, std::uint64_t seed,
                 const std::function<void(JournaledFile&)>& change) {
  SectorJournal journal;
  std::mt19937_64 random(seed);
  {
    JournaledFile file(journal, path, sectors('a', size));
    change(file);
  }
  journal.lose_unsynced(LossMode::tear, random);
  return read_file(path);
}

}  // namespace

TEST_CASE("drop restores every file to its state at the last sync", "[fault][journal]") {
  const kvfault_test::CleanControl clean;
  const TempDir dir;
  const std::string path = dir.file("data");
  SectorJournal journal;
  std::mt19937_64 random(1);
  JournaledFile file(journal, path, sectors('a', 4));

  SECTION("writes inside and past the durable end") {
    file.write(kSector + 100, std::string(kSector, 'b'));  // straddles sectors 1 and 2
    file.write(4 * kSector, sectors('c', 2));
    REQUIRE(journal.unsynced_sectors() == 4);
    journal.lose_unsynced(LossMode::drop, random);
    REQUIRE(read_file(path) == sectors('a', 4));
  }

  SECTION("a truncation, then a write past the new end") {
    file.truncate(kSector + 7);
    file.write(3 * kSector, "tail");
    journal.lose_unsynced(LossMode::drop, random);
    REQUIRE(read_file(path) == sectors('a', 4));
  }

  SECTION("a sync makes what came before it durable") {
    file.write(0, sectors('b', 1));
    file.write(4 * kSector, sectors('c', 1));
    file.sync();
    REQUIRE(journal.unsynced_sectors() == 0);
    file.write(kSector, sectors('d', 1));
    journal.lose_unsynced(LossMode::drop, random);
    REQUIRE(read_file(path) == sectors('b', 1) + sectors('a', 3) + sectors('c', 1));
  }

  SECTION("forget_unsynced() treats everything as durable") {
    file.write(0, sectors('b', 5));
    journal.forget_unsynced();
    journal.lose_unsynced(LossMode::drop, random);
    REQUIRE(read_file(path) == sectors('b', 5));
  }
}

TEST_CASE("tear keeps or loses each unsynced sector independently", "[fault][journal]") {
  const kvfault_test::CleanControl clean;
  const TempDir dir;
  std::set<std::string> outcomes[6];  // per sector, what was seen there
  std::set<std::int64_t> sizes;
  for (std::uint64_t seed = 1; seed <= 64; ++seed) {
    CAPTURE(seed);
    const std::string after =
        torn(dir.file("data-" + std::to_string(seed)), 4, seed, [](auto& file) {
          file.write(kSector, sectors('b', 2));
          file.write(4 * kSector, sectors('c', 2));
        });
    sizes.insert(static_cast<std::int64_t>(after.size()));
    REQUIRE((after.size() == 4 * kSector || after.size() == 6 * kSector));
    for (std::size_t sector = 0; sector * kSector < after.size(); ++sector) {
      const std::string content = after.substr(sector * kSector, kSector);
      // A sector is never mixed: all of it was kept, or all of it lost.
      REQUIRE(content == std::string(kSector, content.front()));
      outcomes[sector].insert(content.substr(0, 1));
    }
  }
  REQUIRE(sizes == std::set<std::int64_t>{4 * kSector, 6 * kSector});
  REQUIRE(outcomes[0] == std::set<std::string>{"a"});  // never written: never touched
  REQUIRE(outcomes[3] == std::set<std::string>{"a"});
  REQUIRE(outcomes[1] == std::set<std::string>{"a", "b"});
  REQUIRE(outcomes[2] == std::set<std::string>{"a", "b"});
  REQUIRE(outcomes[4] == std::set<std::string>{std::string(1, '\0'), "c"});  // lost: zeros
  REQUIRE(outcomes[5] == std::set<std::string>{std::string(1, '\0'), "c"});
}

TEST_CASE("a lost truncation brings back all it cut, never a mix of old and nothing",
          "[fault][journal]") {
  const kvfault_test::CleanControl clean;
  const TempDir dir;
  std::set<std::string> outcomes;
  for (std::uint64_t seed = 1; seed <= 64; ++seed) {
    CAPTURE(seed);
    // The way SQLite restarts its WAL: truncate to nothing, then write a new start.
    const std::string after =
        torn(dir.file("cut-" + std::to_string(seed)), 4, seed, [](auto& file) {
          file.truncate(0);
          file.write(0, sectors('n', 1));
        });
    if (after.size() == 4 * kSector) {
      // The truncation was lost: sectors 1-3 were only cut, so they are all back.
      REQUIRE(after.substr(kSector) == sectors('a', 3));
      REQUIRE((after.front() == 'a' || after.front() == 'n'));
    } else {
      REQUIRE(after.size() == kSector);  // the truncation and the write's size were kept
    }
    outcomes.insert(std::to_string(after.size()) + after.substr(0, 1));
  }
  REQUIRE(outcomes.size() >= 3);
}

TEST_CASE("the same seed tears the same way", "[fault][journal]") {
  const kvfault_test::CleanControl clean;
  const TempDir dir;
  std::string results[2];
  for (auto& result : results) {
    result = torn(dir.file("data"), 8, 42, [](auto& file) {
      for (int sector = 0; sector < 8; ++sector) file.write(sector * kSector, sectors('b', 1));
    });
  }
  REQUIRE(results[0] == results[1]);
  REQUIRE(results[0] != sectors('a', 8));
  REQUIRE(results[0] != sectors('b', 8));
}
