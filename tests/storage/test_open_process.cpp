// Opening one file from several processes at once, and waiting for another connection's lock:
// a brand-new file (in directories none of them exists yet, too) switched to WAL by several
// openers together, and busy_timeout over its whole range.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <kvstore/kvstore.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process_support.hpp"
#include "raw_db.hpp"
#include "storage/store_file_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::Child;
using kvtest::Pipe;
using kvtest::TempDir;

TEST_CASE("open (process): processes opening a brand-new file together all succeed",
          "[store][process]") {
  constexpr int kRounds = 8;
  constexpr int kProcesses = 12;
  // Also in directories none of them exists yet: each opener creates what is missing, and one
  // another just created counts as made.
  const std::string name = GENERATE(as<std::string>{}, "new.db", "new/dirs/new.db");
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    TempDir dir;
    const auto path = dir.file(name);
    Pipe start;  // every child blocks reading it; closing the write end releases them together
    std::vector<std::unique_ptr<Child>> children;
    for (int i = 0; i < kProcesses; ++i) {
      children.push_back(std::make_unique<Child>([&, i] {
        start.close_write();
        start.receive(-1ms);
        try {
          kvstore::Options options;
          options.purge_interval = 0ms;
          kvstore::Store store(path, options);
          store.set("g", "k" + std::to_string(i), "v");
        } catch (const std::exception& e) {
          std::fprintf(stderr, "child %d: %s\n", i, e.what());
          throw;
        }
      }));
    }
    start.close_write();
    for (auto& child : children) {
      const int status = child->wait();
      failures += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    kvstore::Store store(path);
    CHECK(store.count("g") == static_cast<std::size_t>(kProcesses - failures));
  }
  CHECK(failures == 0);
}

TEST_CASE("open: a busy_timeout beyond INT_MAX milliseconds still waits for the lock", "[store]") {
  TempDir dir;
  const auto path = dir.file("busy.db");
  { kvstore::Store store(path); }
  const auto timeout =
      GENERATE(std::chrono::milliseconds(3'000'000'000), std::chrono::milliseconds::max());
  kvstore::Options options;
  options.busy_timeout = timeout;
  options.purge_interval = 0ms;
  options.external_poll_interval = 0ms;
  kvstore::Store store(path, options);

  kvtest::RawDb holder(path);
  holder.exec("BEGIN IMMEDIATE");
  auto write = std::async(std::launch::async, [&] { store.set("g", "k", "v"); });
  // A guard, not a timing assertion: the write must still be waiting when the lock goes, and a
  // truncated timeout would have made it give up at once.
  const bool finished_while_locked =
      kvtest::eventually([&] { return write.wait_for(0ms) == std::future_status::ready; }, 300ms);
  holder.exec("COMMIT");
  CHECK_FALSE(finished_while_locked);
  CHECK_NOTHROW(write.get());
  CHECK(store.get("g", "k") == std::optional<std::string>("v"));
}

TEST_CASE("open: a read-only open waits for a connection that holds the file exclusively",
          "[store]") {
  TempDir dir;
  const auto path = dir.file("exclusive.db");
  kvtest::write_one_key_file(path);
  auto holder = std::make_unique<kvtest::RawDb>(path);
  holder->exec("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE kv SET value = value");
  kvstore::Options options;
  options.read_only = true;
  auto open = std::async(std::launch::async, [&] {
    kvstore::Store reader(path, options);
    return reader.get("g", "k");
  });
  // A guard, not a timing assertion: the open must still be waiting when the lock goes.
  const bool finished_while_locked =
      kvtest::eventually([&] { return open.wait_for(0ms) == std::future_status::ready; }, 300ms);
  holder->exec("COMMIT");
  holder.reset();  // closing ends the exclusive hold
  CHECK_FALSE(finished_while_locked);
  CHECK(open.get() == std::optional<std::string>("v"));
}
