// Faults and bad input: damaged files (garbage header, truncated mid-page, random pages
// overwritten), read-only files and directories, a full disk (a small tmpfs), and another process
// holding the write lock past busy_timeout. Each gives a typed kvstore::Error with a clear
// message, never a crash, and loses nothing that was committed.
//
// Covered elsewhere and not repeated here: a plain text file, a directory and an empty path
// (tests/api/test_errors.cpp); a missing directory, a file in its way and one that cannot be
// created (tests/storage/test_database_path.cpp); a newer schema version
// (tests/storage/test_migrations.cpp).
//
// Full disk: PRAGMA max_page_count is a per-connection setting and the Store's connection is not
// reachable from a test, so the disk is filled for real on a 2 MiB tmpfs mounted for the test
// (tests run as root). When the mount fails (not root, no CAP_SYS_ADMIN) the test warns and
// returns.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "quiet_options.hpp"
#include "support.hpp"
#include "unprivileged.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

using kvtest::contains;
using kvtest::quiet;
using kvtest::read_bytes;
using kvtest::starts_with;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

kvstore::Options read_only() {
  auto options = quiet();
  options.read_only = true;
  return options;
}

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// A closed store file (no -wal left behind) of several pages: 4 groups of 50 keys of ~300 bytes.
std::string make_store_file(const TempDir& dir, const std::string& name) {
  const auto path = dir.file(name);
  {
    kvstore::Store store(path, quiet());
    store.transaction([](kvstore::Transaction& tx) {
      for (int g = 0; g < 4; ++g) {
        for (int k = 0; k < 50; ++k) {
          tx.set("g" + std::to_string(g), "k" + std::to_string(k),
                 std::string(300, static_cast<char>('a' + (g * 50 + k) % 26)));
        }
      }
    });
    store.checkpoint();
    REQUIRE(store.stats().free_pages == 0);  // every page is in use: damage to any is damage
  }
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

// The file of make_store_file in a directory of its own.
struct StoreFile {
  TempDir dir;
  const std::string path = make_store_file(dir, "store.db");
};

std::uint32_t page_size_of(const std::string& bytes) {
  REQUIRE(bytes.size() >= 100);
  const auto hi = static_cast<unsigned char>(bytes[16]), lo = static_cast<unsigned char>(bytes[17]);
  const std::uint32_t size = (static_cast<std::uint32_t>(hi) << 8) | lo;
  return size == 1 ? 65536 : size;
}

// Runs `op` (an open or a read of a damaged file): it either succeeds or throws SchemaError or
// StorageError whose what() starts with "kvstore: ". Returns whether it threw.
bool typed_failure_or_success(const std::string& what_op, const std::function<void()>& op) {
  INFO("operation " << what_op);
  try {
    op();
    return false;
  } catch (const kvstore::SchemaError& e) {
    INFO("SchemaError: " << e.what());
    CHECK(starts_with(e.what(), "kvstore: "));
    return true;
  } catch (const kvstore::StorageError& e) {
    INFO("StorageError: " << e.what());
    CHECK(starts_with(e.what(), "kvstore: "));
    return true;
  } catch (const std::exception& e) {
    FAIL("untyped exception from " << what_op << ": " << e.what());
  }
  return true;
}

// Opens a damaged file and reads everything through every read method; every failure is typed.
// Returns true when something reported the damage (a throw, or problems from check()).
bool exercise_damaged(const std::string& path, kvstore::Options options) {
  bool reported = false;
  std::optional<kvstore::Store> store;
  if (typed_failure_or_success("open", [&] { store.emplace(path, options); })) return true;
  const auto read = [&](const std::string& name, const std::function<void()>& op) {
    reported = typed_failure_or_success(name, op) || reported;
  };
  read("check", [&] { reported = !store->check().empty() || reported; });
  read("count_all", [&] { (void)store->count_all(); });
  read("groups", [&] { (void)store->groups(); });
  for (int g = 0; g < 4; ++g) {
    const std::string group = "g" + std::to_string(g);
    read("get_all " + group, [&] { (void)store->get_all(group); });
    read("get " + group, [&] { (void)store->get(group, "k7"); });
    read("for_each " + group,
         [&] { store->for_each(group, [](std::string_view, std::string_view) { return true; }); });
  }
  read("stats", [&] { (void)store->stats(); });
  return reported;
}

}  // namespace

TEST_CASE_METHOD(StoreFile,
                 "faults: a garbage header is refused with SchemaError and the file is untouched",
                 "[faults]") {
  auto bytes = read_bytes(path);
  SECTION("magic string") { std::memcpy(bytes.data(), "NOT SQLite file\0", 16); }
  SECTION("random header bytes") {
    std::mt19937 rng(7);
    for (int i = 0; i < 100; ++i) bytes[i] = static_cast<char>(rng() & 0xff);
  }
  write_bytes(path, bytes);
  for (const auto& options : {quiet(), read_only()}) {
    INFO("read_only " << options.read_only);
    try {
      kvstore::Store store(path, options);
      (void)store.count_all();
      FAIL("a file with a garbage header was read as a database");
    } catch (const kvstore::SchemaError& e) {
      const std::string what = e.what();
      INFO("what(): " << what);
      CHECK(starts_with(what, "kvstore: "));
      CHECK(contains(what, "open"));
    }
    CHECK(read_bytes(path) == bytes);
  }
}

TEST_CASE_METHOD(StoreFile, "faults: a file truncated mid-page gives typed errors, never a crash",
                 "[faults]") {
  const auto bytes = read_bytes(path);
  const auto page = page_size_of(bytes);
  const auto pages = bytes.size() / page;
  REQUIRE(pages >= 8);
  // Cut in the middle of a page, at several places: the first page, the schema's pages, the data.
  for (const std::size_t keep_pages : {std::size_t{0}, std::size_t{1}, pages / 2, pages - 1}) {
    const std::size_t cut = keep_pages * page + page / 2;
    INFO("truncated to " << cut << " of " << bytes.size() << " bytes");
    write_bytes(path, bytes.substr(0, cut));
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix);
    CHECK(exercise_damaged(path, read_only()));
    CHECK(exercise_damaged(path, quiet()));
  }
}

TEST_CASE_METHOD(StoreFile,
                 "faults: random pages overwritten give typed errors and check() reports them",
                 "[faults]") {
  const std::uint64_t seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const auto original = read_bytes(path);
  const auto page = page_size_of(original);
  const auto pages = original.size() / page;
  REQUIRE(pages >= 8);
  for (int round = 0; round < 8; ++round) {
    auto bytes = original;
    // Overwrite 1..3 pages other than the first (its header is the garbage-header test's).
    const int count = 1 + static_cast<int>(rng() % 3);
    std::set<std::size_t> hit;
    for (int n = 0; n < count; ++n) {
      const std::size_t p = 1 + rng() % (pages - 1);
      hit.insert(p + 1);
      for (std::size_t i = 0; i < page; ++i) bytes[p * page + i] = static_cast<char>(rng() & 0xff);
    }
    INFO("round " << round << ": pages overwritten (1-based) " << Catch::Detail::stringify(hit));
    write_bytes(path, bytes);
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix);
    CHECK(exercise_damaged(path, read_only()));
    CHECK(exercise_damaged(path, quiet()));
  }
}

using kvtest::check_unprivileged;
using kvtest::step_failed;

TEST_CASE_METHOD(StoreFile,
                 "faults: a read-only file (chmod 0444) reads with read_only and refuses writes",
                 "[faults][read_only]") {
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  // The directory stays writable, also for the unprivileged child.
  REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
  const auto before = read_bytes(path);
  const std::string expected(300, 'a' + 53 % 26);  // g1/k3

  const auto body = [&]() -> int {
    const int probe = ::open(path.c_str(), O_WRONLY);
    if (probe >= 0) return step_failed(1, "a chmod 0444 file opened for writing");
    try {
      kvstore::Store store(path, read_only());
      if (store.count_all() != 200) return step_failed(2, "count_all != 200");
      if (store.get("g1", "k3") != std::optional<std::string>(expected)) {
        return step_failed(3, "g1/k3 read wrong");
      }
      try {
        store.set("g1", "k3", "x");
        return step_failed(4, "read_only set went through");
      } catch (const kvstore::StorageError&) {
      }
    } catch (const kvstore::Error& e) {
      return step_failed(5, std::string("read_only open/read failed: ") + e.what());
    }
    // Without read_only the permissions refuse the write: at the open or at the first write.
    try {
      kvstore::Store store(path, quiet());
      store.set("g1", "k3", "x");
      return step_failed(6, "a write to a chmod 0444 file went through");
    } catch (const kvstore::StorageError& e) {
      if (!starts_with(e.what(), "kvstore: ")) return step_failed(7, e.what());
    }
    return 0;
  };
  if (!check_unprivileged(body)) return;
  CHECK(read_bytes(path) == before);
  kvstore::Store store(path, read_only());
  CHECK(store.get("g1", "k3") == std::optional<std::string>(expected));
  CHECK(store.count_all() == 200);
}

// The store lives in a chmod 0555 directory and its file is not writable either. While another
// connection (the root test process) holds the store open, its -wal and -shm exist and a
// read_only open reads through them. Once the store is closed cleanly the sidecars are gone and
// cannot be created (SQLite: SQLITE_READONLY_CANTINIT); no writer can exist then, so the store
// reads the file as immutable.
TEST_CASE("faults: a read-only directory: read_only reads work, writes throw, nothing is created",
          "[faults][read_only]") {
  TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const auto sub = dir.path() / "ro";
  std::filesystem::create_directory(sub);
  const auto path = (sub / "store.db").string();
  std::optional<kvstore::Store> writer(std::in_place, path, quiet());
  writer->set("g", "k", "v");
  REQUIRE(std::filesystem::exists(path + "-shm"));
  REQUIRE(::chmod(sub.c_str(), 0555) == 0);
  const auto files = listing(sub);

  // 0: read fine; others: a failed step.
  const auto body = [&]() -> int {
    const int probe = ::open((sub / "probe").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (probe >= 0) return step_failed(1, "created a file in a chmod 0555 directory");
    std::optional<kvstore::Store> store;
    try {
      store.emplace(path, read_only());
      if (store->get("g", "k") != std::optional<std::string>("v")) {
        return step_failed(3, "g/k read wrong");
      }
      if (store->count_all() != 1) return step_failed(4, "count_all != 1");
      try {
        store->set("g", "k2", "x");
        return step_failed(5, "read_only set went through");
      } catch (const kvstore::StorageError&) {
      }
    } catch (const kvstore::Error& e) {
      return step_failed(6, std::string("read failed: ") + e.what());
    }
    store.reset();
    // A new store in the directory cannot be created: a typed error.
    try {
      kvstore::Store created((sub / "new.db").string(), quiet());
      return step_failed(7, "created a store in a chmod 0555 directory");
    } catch (const kvstore::StorageError& e) {
      if (!starts_with(e.what(), "kvstore: ")) return step_failed(8, e.what());
    }
    return 0;
  };

  SECTION("while another connection holds the store open") {
    if (!check_unprivileged(body)) return;
    CHECK(listing(sub) == files);
    CHECK(writer->get("g", "k") == std::optional<std::string>("v"));
    CHECK_FALSE(writer->get("g", "k2").has_value());
  }
  SECTION("closed cleanly: no -wal or -shm to read through") {
    REQUIRE(::chmod(sub.c_str(), 0755) == 0);
    writer.reset();
    for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(path + suffix);
    REQUIRE(::chmod(sub.c_str(), 0555) == 0);
    const auto before = read_bytes(path);
    const auto closed_files = listing(sub);
    if (!check_unprivileged(body)) return;
    CHECK(read_bytes(path) == before);
    CHECK(listing(sub) == closed_files);
  }
}

namespace {

// A tmpfs of `size` mounted on `dir` for the lifetime of the object, if the mount succeeds.
class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount(dir_.c_str()) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace

TEST_CASE("faults: a full disk fails the write with a typed error and loses nothing",
          "[faults][disk_full]") {
  TempDir dir;
  const auto mnt = dir.path() / "mnt";
  TmpfsMount tmpfs(mnt, "2m");
  if (!tmpfs.mounted()) {
    WARN("skipped: cannot mount a tmpfs (" << tmpfs.error() << ")");
    return;
  }
  const auto path = (mnt / "full.db").string();
  // Ballast to free later: 512 KiB.
  const auto ballast = (mnt / "ballast").string();
  write_bytes(ballast, std::string(512 * 1024, 'x'));

  const std::string big(16 * 1024, 'v');
  std::map<std::string, std::string> committed;
  {
    kvstore::Store store(path, quiet());
    bool failed = false;
    for (int i = 0; i < 1000 && !failed; ++i) {
      const std::string key = "k" + std::to_string(i);
      const std::string value = std::to_string(i) + big;
      try {
        if (i % 3 == 2) {
          store.transaction([&](kvstore::Transaction& tx) {
            tx.set("full", key, value);
            tx.set("full", key + "-pair", value);
          });
          committed[key + "-pair"] = value;
        } else {
          store.set("full", key, value);
        }
        committed[key] = value;
      } catch (const kvstore::StorageError& e) {
        failed = true;
        const std::string what = e.what();
        INFO("what(): " << what);
        CHECK(starts_with(what, "kvstore: "));
        CHECK((contains(what, "set full/" + key) || contains(what, "transaction")));
        CHECK((e.sqlite_code() & 0xff) == SQLITE_FULL);
      }
    }
    REQUIRE(failed);
    REQUIRE(committed.size() > 10);
    // Every earlier commit is still there, the failed one is not.
    CHECK(store.get_all("full") == committed);
    // Once space is freed the store accepts writes again.
    std::filesystem::remove(ballast);
    store.set("full", "after", "ok");
    committed["after"] = "ok";
    CHECK(store.get_all("full") == committed);
    CHECK(store.check().empty());
  }
  kvstore::Store store(path, quiet());
  CHECK(store.get_all("full") == committed);
  CHECK(store.check().empty());
}

TEST_CASE_METHOD(
    StoreFile,
    "faults: another process holding the write lock past busy_timeout gives Busy on time",
    "[faults][busy]") {
  int locked[2], release[2];
  REQUIRE(::pipe(locked) == 0);
  REQUIRE(::pipe(release) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Child: take the write lock with a raw connection, say so, hold it until told (or EOF).
    ::close(locked[0]);
    ::close(release[1]);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) _exit(2);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
    if (::write(locked[1], "L", 1) != 1) _exit(4);
    char c;
    while (::read(release[0], &c, 1) < 0 && errno == EINTR) {
    }
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    _exit(0);
  }
  ::close(locked[1]);
  ::close(release[0]);
  struct Reaper {
    pid_t pid;
    int fd;
    ~Reaper() {
      if (fd >= 0) ::close(fd);
      int status = 0;
      if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
    }
  } reaper{pid, release[1]};
  char c = 0;
  REQUIRE(::read(locked[0], &c, 1) == 1);
  ::close(locked[0]);

  auto options = quiet();
  options.busy_timeout = 200ms;
  kvstore::Store store(path, options);
  const auto revision = store.revision();
  const auto timed_busy = [&](const std::string& name, const std::function<void()>& write) {
    INFO("operation " << name);
    const auto start = std::chrono::steady_clock::now();
    try {
      write();
      FAIL("a write went through another process's lock");
    } catch (const kvstore::Busy& e) {
      CHECK(starts_with(e.what(), "kvstore: "));
      CHECK(contains(e.what(), name));
    }
    const auto took = std::chrono::steady_clock::now() - start;
    INFO("took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    CHECK(took >= 150ms);
    CHECK(took < 5s);
  };
  timed_busy("set g0/k0", [&] { store.set("g0", "k0", "x"); });
  timed_busy("transaction", [&] {
    store.transaction([](kvstore::Transaction& tx) { tx.set("g0", "new", "x"); });
  });
  timed_busy("begin_set", [&] {
    auto writer = store.begin_set("g0", "blob");
    writer.write("data");
    writer.commit();
  });
  // Reads are not blocked, and nothing changed.
  CHECK(store.count_all() == 200);
  CHECK(store.revision() == revision);

  // Release the lock: writes go through again.
  REQUIRE(::write(release[1], "R", 1) == 1);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  reaper.pid = -1;
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  store.set("g0", "k0", "x");
  CHECK(store.get("g0", "k0") == std::optional<std::string>("x"));
  CHECK(store.count_all() == 200);
}
