// Crash consistency: a writer process (tests/crash_writer.cpp) commits single sets, TTL sets,
// 10-key transactions and streamed values (from 1 thread, or from 4 whose writes share group
// commits) and acknowledges each commit through a pipe; the test
// SIGKILLs it at random moments and checks, after every kill, that the file is sound
// (integrity_check and Store::check), every transaction is all or nothing, every acknowledged
// commit is there (with Durability::full and, since a killed process is not a power loss, with
// normal too), and the store opens and accepts writes. KVSTORE_CRASH_KILLS sets the number of
// kills (default 60; the long run uses 1000). A kill during a migration leaves a valid schema
// version and every row, and the next open completes the migration.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "quiet_options.hpp"
#include "raw_db.hpp"
#include "support.hpp"

extern char** environ;

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

using kvtest::quiet;
using kvtest::RawDb;
using kvtest::read_bytes;

// --- what the writer writes (mirrors tests/crash_writer.cpp) ---

std::string value(long long i) { return "v" + std::to_string(i); }

std::string blob_value(long long i) {
  std::string out;
  for (int c = 0; c < 4; ++c) {
    out += "b" + std::to_string(i) + "/" + std::to_string(c) + ":" +
           std::string(8192, static_cast<char>('a' + (i + c) % 26));
  }
  return out;
}

// --- a child process whose stdout is a pipe ---

class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("posix_spawn failed: " + std::to_string(rc));
    }
    fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The next line written by the child; nullopt at EOF or after `timeout` without a line.
  std::optional<std::string> line(std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string out = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return out;
      }
      if (eof_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk, static_cast<std::size_t>(n));
      }
    }
  }

  void kill() { ::kill(pid_, SIGKILL); }

  // Waits for the child to end; returns its wait status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
};

// --- raw SQLite access, bypassing kvstore ---

int kills_wanted() {
  if (const char* env = std::getenv("KVSTORE_CRASH_KILLS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  return 60;
}

std::uint64_t seed_from_env() {
  if (const char* env = std::getenv("KVSTORE_CRASH_SEED")) return std::strtoull(env, nullptr, 10);
  return std::random_device{}();
}

// Checks everything the store must hold after a kill; `acked` are the acknowledged operations.
void verify_after_kill(const std::string& path, const std::set<long long>& acked, int kill) {
  INFO("after kill " << kill);
  {
    RawDb raw(path);
    REQUIRE(raw.text("PRAGMA integrity_check") == "ok");
  }
  kvstore::Store store(path, quiet());
  REQUIRE(store.check().empty());

  // Every acknowledged commit is present.
  for (const long long i : acked) {
    INFO("acknowledged operation " << i << " (kind " << i % 4 << ")");
    const std::string k = "k" + std::to_string(i);
    switch (i % 4) {
      case 0:
        REQUIRE(store.get("single", k) == std::optional<std::string>(value(i)));
        break;
      case 1:
        REQUIRE(store.get("ttl", k) == std::optional<std::string>(value(i)));
        break;
      case 2:
        REQUIRE(store.count("tx" + std::to_string(i)) == 10);
        break;
      default: {
        const auto got = store.get("blob", k);
        REQUIRE(got.has_value());
        REQUIRE(*got == blob_value(i));
        break;
      }
    }
  }

  // Whatever is present (acknowledged or not) is whole: every transaction all or nothing, every
  // value exactly what was written.
  for (const auto& group : store.groups("tx")) {
    INFO("transaction group " << group);
    const long long i = std::stoll(group.substr(2));
    const auto all = store.get_all(group);
    REQUIRE(all.size() == 10);
    for (const auto& [key, v] : all) REQUIRE(v == value(i));
  }
  for (const char* group : {"single", "ttl"}) {
    for (const auto& [key, v] : store.get_all(group)) {
      INFO(group << "/" << key);
      REQUIRE(v == value(std::stoll(key.substr(1))));
    }
  }
  for (const auto& [key, v] : store.get_all("blob")) {
    INFO("blob/" << key);
    REQUIRE(v == blob_value(std::stoll(key.substr(1))));
  }

  // The store accepts writes again.
  store.set("probe", "after", std::to_string(kill));
  REQUIRE(store.get("probe", "after") == std::optional<std::string>(std::to_string(kill)));
}

}  // namespace

TEST_CASE("crash: a writer SIGKILLed at random moments loses no acknowledged commit",
          "[crash][process]") {
  const int kills = kills_wanted();
  const std::uint64_t seed = seed_from_env();
  WARN("crash test: " << kills << " kills, seed " << seed
                      << " (KVSTORE_CRASH_KILLS / KVSTORE_CRASH_SEED to override)");
  std::mt19937_64 rng(seed);
  TempDir dir;
  std::string path;
  std::set<long long> acked;
  long long next = 0;
  int survived = 0;

  for (int kill = 0; kill < kills; ++kill) {
    // A fresh file every 50 kills keeps the checks after each kill bounded (linear long runs).
    if (kill % 50 == 0) {
      path = dir.file("crash-" + std::to_string(kill / 50) + ".db");
      acked.clear();
      next = 0;
    }
    const bool full = kill % 2 == 0;
    // Every other pair of kills: 4 writer threads, whose writes share group commits.
    const int threads = kill % 4 < 2 ? 1 : 4;
    INFO("seed " << seed << ", kill " << kill << ", durability " << (full ? "full" : "normal")
                 << ", threads " << threads);
    // Kill after 0..30 acknowledgements (0: possibly while opening), then 0..3 ms later.
    const int wait_acks = static_cast<int>(rng() % 31);
    const auto delay = std::chrono::microseconds(rng() % 3000);
    Child child({KVSTORE_CRASH_WRITER, path, "write", full ? "full" : "normal",
                 std::to_string(next), std::to_string(threads)});
    for (int n = 0; n < wait_acks; ++n) {
      const auto line = child.line();
      REQUIRE(line.has_value());  // the writer died or stalled before being killed
      acked.insert(std::stoll(*line));
    }
    std::this_thread::sleep_for(delay);  // load shaping: where the kill lands
    child.kill();
    const int status = child.wait();
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    // Acknowledgements written before the kill are still in the pipe.
    while (const auto line = child.line(1s)) acked.insert(std::stoll(*line));
    if (!acked.empty()) next = std::max(next, *acked.rbegin() + 1);

    verify_after_kill(path, acked, kill);
    ++survived;
  }
  CHECK(survived == kills);
  // Most kills came after some acknowledged commits.
  CHECK(!acked.empty());
}

namespace {

std::vector<std::vector<std::string>> user_rows(RawDb& raw) {
  return raw.rows("SELECT grp, key, value FROM kv ORDER BY grp, key");
}

}  // namespace

TEST_CASE(
    "crash: a kill during a migration keeps the previous schema and the next open completes it",
    "[crash][process][migrations]") {
  const std::uint64_t seed = seed_from_env();
  WARN("migration crash test: seed " << seed);
  std::mt19937_64 rng(seed);
  const int latest = kvtest::latest_migration();
  REQUIRE(latest >= 2);
  TempDir dir;
  const auto path = dir.file("go.db");
  const std::string fixture =
      read_bytes(std::string(KVSTORE_TEST_FIXTURES) + "/go_store_pre_ttl.sql");
  const auto fresh = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    RawDb raw(path);
    raw.exec(fixture);
  };
  fresh();
  std::vector<std::vector<std::string>> rows;
  {
    RawDb raw(path);
    rows = user_rows(raw);
    REQUIRE(rows.size() == 6);
    REQUIRE(raw.text("PRAGMA user_version") == "0");
  }

  // How long a complete open (every migration) takes once the process runs, to aim the kills.
  std::chrono::microseconds full_open{0};
  {
    Child child({KVSTORE_CRASH_WRITER, path, "open"});
    REQUIRE(child.line() == std::optional<std::string>("opening"));
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(child.line() == std::optional<std::string>("opened"));
    full_open = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    const int status = child.wait();
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  fresh();

  std::set<int> versions_seen;
  const int rounds = std::max(20, kills_wanted() / 3);
  for (int round = 0; round < rounds; ++round) {
    INFO("seed " << seed << ", round " << round);
    const auto delay =
        std::chrono::microseconds(rng() % static_cast<std::uint64_t>(full_open.count() + 1));
    Child child({KVSTORE_CRASH_WRITER, path, "open"});
    REQUIRE(child.line() == std::optional<std::string>("opening"));
    std::this_thread::sleep_for(delay);  // load shaping: where the kill lands
    child.kill();
    const int status = child.wait();
    {
      RawDb raw(path);
      REQUIRE(raw.text("PRAGMA integrity_check") == "ok");
      const int version = std::stoi(raw.text("PRAGMA user_version"));
      versions_seen.insert(version);
      REQUIRE(version >= 0);
      REQUIRE(version <= latest);
      // Every row is there, whatever the version reached.
      REQUIRE(user_rows(raw) == rows);
    }
    // Start again from go-store's file once a migration ran to the end, so that most kills
    // land in one.
    if (WIFEXITED(status) || std::stoi(RawDb(path).text("PRAGMA user_version")) == latest) {
      fresh();
    }
  }
  std::string seen;
  for (const int v : versions_seen) seen += " " + std::to_string(v);
  WARN("schema versions found after the kills:" << seen << " (latest " << latest << ")");

  // A kill part-way, then the next open completes the migration and keeps every row.
  {
    Child child({KVSTORE_CRASH_WRITER, path, "open"});
    REQUIRE(child.line() == std::optional<std::string>("opening"));
    std::this_thread::sleep_for(full_open / 2);
    child.kill();
    child.wait();
  }
  {
    kvstore::Store store(path, quiet());
    CHECK(store.check().empty());
    CHECK(store.get("users", "bob") == std::optional<std::string>("O'Brien; DROP TABLE kv; --"));
    CHECK(store.count_all() == rows.size());
    store.set("after", "migration", "ok");
  }
  RawDb raw(path);
  CHECK(raw.text("PRAGMA user_version") == std::to_string(latest));
  CHECK(raw.text("PRAGMA integrity_check") == "ok");
  CHECK(raw.text("SELECT value FROM kv WHERE grp = 'after' AND key = 'migration'") == "ok");
}
