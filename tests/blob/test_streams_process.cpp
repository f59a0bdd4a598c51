// Streaming values across processes: a writer process killed mid-write leaves no trace once the
// file is reopened (the key is absent or keeps its previous value, and its staged rows in
// blobs/blob_chunks are reclaimed), while a writer process that is still alive keeps its staged
// data when another process opens the file, and can still commit.
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "blob_support.hpp"
#include "process_support.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::Child;
using kvtest::leftovers;
using kvtest::Pipe;
using kvtest::query_int;
using kvtest::quiet;
using kvtest::random_bytes;
using kvtest::staged_bytes_of;
using kvtest::staged_pieces;
using kvtest::TempDir;

namespace {

constexpr std::size_t KiB = 1024;

std::int64_t staged_rows_of(const std::string& path, pid_t pid) {
  return query_int(path, "SELECT count(*) FROM blobs WHERE writer_pid = " + std::to_string(pid));
}

// A store file, made and closed before any fork: each process opens its own connection.
struct ClosedStoreFile {
  TempDir dir;
  const std::string path = dir.file("s.db");
  ClosedStoreFile() { kvstore::Store made(path, quiet()); }
};

// Waits for the child's 'R' (ready); if the child died first, fails with its wait status.
void require_ready(Pipe& ready, Child& child) {
  const auto signal = ready.receive();
  if (!signal) {
    const int status = child.wait();
    FAIL("the child failed before it was ready (wait status " << status << ")");
  }
  REQUIRE(*signal == 'R');
}

// A writer process on the store at `path`: it stages the first `staged` bytes of `content` under
// g/k (tagged `tag`), reports 'R' and waits; on 'C' it writes the rest, commits and reports 'D'.
class PausedWriter {
 public:
  PausedWriter(const std::string& path, std::string_view content, std::size_t staged,
               const std::string& tag = "")
      : child_([&] {
          ready_.close_read();
          go_.close_write();
          kvstore::Store store(path, quiet());
          kvstore::Metadata meta;
          meta.tag = tag;
          auto writer = store.begin_set("g", "k", meta);
          writer.write(content.substr(0, staged));
          ready_.send('R');
          if (go_.receive(-1ms) != 'C') throw std::runtime_error("no go");
          writer.write(content.substr(staged));
          writer.commit();
          ready_.send('D');
        }) {
    ready_.close_write();
    go_.close_read();
  }

  void require_staged() { require_ready(ready_, child_); }
  pid_t pid() const { return child_.pid(); }

  // Lets the writer commit; checks that it reported it and exited cleanly.
  void finish() {
    go_.send('C');
    const auto done = ready_.receive();
    const int status = child_.wait();
    REQUIRE(done == std::optional<char>('D'));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

 private:
  Pipe ready_, go_;
  Child child_;
};

}  // namespace

TEST_CASE("streaming (process): a writer killed mid-write leaves no trace after reopen",
          "[blob][process]") {
  TempDir dir;
  const auto path = dir.file("killed.db");
  const auto previous = GENERATE(as<std::string>{}, "none", "plain", "streamed");
  const auto child_state = GENERATE(as<std::string>{}, "waiting", "still writing");
  INFO("previous value: " << previous << "; child " << child_state << " when killed");
  const auto old_streamed = random_bytes(300 * KiB + 1, 1);
  {
    kvstore::Store store(path, quiet());
    store.set("other", "x", "1");
    if (previous == "plain") store.set("g", "k", "old");
    if (previous == "streamed") {
      kvstore::Metadata meta;
      meta.tag = "old";
      auto writer = store.begin_set("g", "k", meta);
      writer.write(old_streamed);
      writer.commit();
    }
  }  // closed before fork: the child opens its own connection

  Pipe ready;
  const bool keep_writing = child_state == "still writing";
  Child child([&] {
    ready.close_read();
    kvstore::Store store(path, quiet());
    kvstore::Metadata meta;
    meta.tag = "child";
    auto writer = store.begin_set("g", "k", meta);
    const auto chunk = random_bytes(256 * KiB, 2);
    for (int i = 0; i < 5; ++i) writer.write(chunk);
    ready.send('R');
    if (keep_writing) {
      for (;;) writer.write(std::string_view(chunk).substr(0, 64 * KiB + 3));
    }
    for (;;) pause();  // until killed
  });
  ready.close_write();

  require_ready(ready, child);
  // The write is staged in the database: there is something to reclaim.
  REQUIRE(staged_rows_of(path, child.pid()) == 1);
  REQUIRE(staged_bytes_of(path, child.pid()) >= 1);

  const pid_t dead = child.pid();
  REQUIRE(kill(dead, SIGKILL) == 0);
  const int status = child.wait();
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  {
    kvstore::Store store(path, quiet());
    const auto meta = store.stat("g", "k");
    if (previous == "none") {
      CHECK_FALSE(meta);
      CHECK_FALSE(store.get("g", "k"));
      CHECK_FALSE(store.open_reader("g", "k"));
      CHECK(store.count("g") == 0);
    } else if (previous == "plain") {
      REQUIRE(meta);
      CHECK(meta->tag == "");
      CHECK(store.get("g", "k") == std::optional<std::string>("old"));
    } else {
      REQUIRE(meta);
      CHECK(meta->tag == "old");
      CHECK(meta->size == old_streamed.size());
      auto reader = store.open_reader("g", "k");
      REQUIRE(reader);
      CHECK((reader->read_all() == old_streamed));
    }
    CHECK(store.get("other", "x") == std::optional<std::string>("1"));
    // The staged rows of the dead writer were reclaimed by this open.
    CHECK(staged_rows_of(path, dead) == 0);
    CHECK(staged_bytes_of(path, dead) == 0);
    CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 0);
    CHECK(leftovers(path) == 0);
    CHECK(query_int(path, "SELECT count(*) FROM blobs") == (previous == "streamed" ? 1 : 0));

    // The store is fully usable afterwards, for streamed writes too.
    auto writer = store.begin_set("g", "k");
    writer.write("after");
    writer.commit();
    CHECK(store.get("g", "k") == std::optional<std::string>("after"));
  }
  CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 0);
  CHECK(leftovers(path) == 0);
}

TEST_CASE_METHOD(
    ClosedStoreFile,
    "streaming (process): another process opening the file keeps a live writer's staging",
    "[blob][process]") {
  const auto content = random_bytes(5 * 256 * KiB + 99, 3);

  PausedWriter child(path, content, 5 * 256 * KiB, "child");
  child.require_staged();
  const auto staged = staged_bytes_of(path, child.pid());
  REQUIRE(staged >= 1);

  kvstore::Store store(path, quiet());  // runs the reclaim pass: the writer is alive
  CHECK(staged_rows_of(path, child.pid()) == 1);
  CHECK(staged_bytes_of(path, child.pid()) == staged);
  CHECK_FALSE(store.stat("g", "k"));  // still invisible

  child.finish();

  const auto meta = store.stat("g", "k");
  REQUIRE(meta);
  CHECK(meta->tag == "child");
  CHECK(meta->size == content.size());
  auto reader = store.open_reader("g", "k");
  REQUIRE(reader);
  const auto read = reader->read_all();
  CHECK(read.size() == content.size());
  CHECK((read == content));
  CHECK(leftovers(path) == 0);
}

namespace {

// A process id that no process holds: a reaped child's (the kernel hands it out again only after
// the whole pid range has been used).
pid_t vacant_pid() {
  Child gone([] {});
  const pid_t pid = gone.pid();
  gone.wait();
  return pid;
}

void set_writer_pid(const std::string& path, pid_t pid) {
  kvtest::RawDb(path).exec("UPDATE blobs SET writer_pid = " + std::to_string(pid) +
                           " WHERE committed = 0");
}

}  // namespace

TEST_CASE_METHOD(
    ClosedStoreFile,
    "streaming (process): a live writer keeps its staging even when the opener cannot see its "
    "process id (another PID namespace)",
    "[blob][process]") {
  const auto content = random_bytes(300 * KiB + 7, 4);

  PausedWriter child(path, content, 100 * KiB);
  child.require_staged();

  // What a process in another PID namespace sees: a writer id that names no process here.
  set_writer_pid(path, vacant_pid());
  kvstore::Store store(path, quiet());  // its reclaim pass must leave the live writer alone
  CHECK(query_int(path, "SELECT count(*) FROM blobs WHERE committed = 0") == 1);

  child.finish();
  CHECK(store.get("g", "k") == std::optional<std::string>(content));
  CHECK(store.check().empty());
  CHECK(leftovers(path) == 0);
}

TEST_CASE_METHOD(
    ClosedStoreFile,
    "streaming (process): a dead writer's staging is reclaimed even if its pid was reused",
    "[blob][process]") {
  Pipe ready;
  Child child([&] {
    ready.close_read();
    kvstore::Store store(path, quiet());
    auto writer = store.begin_set("g", "k");
    writer.write(random_bytes(100 * KiB, 5));
    ready.send('R');
    for (;;) pause();  // until killed
  });
  ready.close_write();
  REQUIRE(ready.receive() == std::optional<char>('R'));
  REQUIRE(kill(child.pid(), SIGKILL) == 0);
  child.wait();

  set_writer_pid(path, getpid());  // the dead writer's pid now names a live process: this one
  kvstore::Store store(path, quiet());
  CHECK(query_int(path, "SELECT count(*) FROM blobs") == 0);
  CHECK(staged_pieces(path) == 0);
  CHECK(leftovers(path) == 0);
}
