// kvstore_crash_writer: a process that writes to a store until it is killed, for the crash
// consistency tests (tests/reliability/test_crash.cpp).
//
//   kvstore_crash_writer DB write normal|full FIRST [THREADS]
//     Opens DB with the given Durability and, for i = FIRST, FIRST+1, ... forever, commits
//     operation i % 4 (see crash_op below), then writes "<i>\n" to stdout with one write(2): a
//     line on stdout means the commit returned (was acknowledged). With THREADS (default 1),
//     thread t of THREADS does i = FIRST + t, FIRST + t + THREADS, ... on the one Store, so that
//     their writes share group commits.
//       0: set("single", "k<i>", value(i))
//       1: set_with_ttl("ttl", "k<i>", value(i), 1 h)
//       2: transaction: set("tx<i>", "0".."9", value(i)) — ten keys that must appear together
//       3: begin_set("blob", "k<i>") + 4 chunks of blob_chunk(i, c) + commit()
//   kvstore_crash_writer DB open
//     Writes "opening\n", opens DB with Durability::full (applying pending migrations), writes
//     "opened\n" and exits.
// Exit status: 0 on success, 1 when a kvstore call threw, 2 on a usage error.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <kvstore/kvstore.hpp>
#include <string>
#include <thread>
#include <vector>

#include "quiet_options.hpp"

namespace {

using namespace std::chrono_literals;

std::string value(long long i) { return "v" + std::to_string(i); }

// Chunk c (0..3) of the streamed value of operation i: 8 KiB, distinct per i and c.
std::string blob_chunk(long long i, int c) {
  return "b" + std::to_string(i) + "/" + std::to_string(c) + ":" +
         std::string(8192, static_cast<char>('a' + (i + c) % 26));
}

void say(const std::string& line) {
  const std::string out = line + "\n";
  if (::write(1, out.data(), out.size()) != static_cast<ssize_t>(out.size())) _exit(3);
}

void crash_op(kvstore::Store& store, long long i) {
  const std::string k = "k" + std::to_string(i);
  switch (i % 4) {
    case 0:
      store.set("single", k, value(i));
      break;
    case 1:
      store.set_with_ttl("ttl", k, value(i), 1h);
      break;
    case 2:
      store.transaction([&](kvstore::Transaction& tx) {
        for (int n = 0; n < 10; ++n) tx.set("tx" + std::to_string(i), std::to_string(n), value(i));
      });
      break;
    default: {
      auto writer = store.begin_set("blob", k);
      for (int c = 0; c < 4; ++c) writer.write(blob_chunk(i, c));
      writer.commit();
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DB write normal|full FIRST | DB open\n", argv[0]);
    return 2;
  }
  try {
    const std::string command = argv[2];
    if (command == "open") {
      // Full durability: each migration's commit reaches the disk, which widens the window a
      // kill can land in.
      say("opening");
      kvstore::Store store(argv[1], kvtest::quiet(kvstore::Durability::full));
      say("opened");
      return 0;
    }
    if (command != "write" || (argc != 5 && argc != 6)) {
      std::fprintf(stderr, "kvstore_crash_writer: bad arguments\n");
      return 2;
    }
    kvstore::Store store(
        argv[1], kvtest::quiet(std::string(argv[3]) == "full" ? kvstore::Durability::full
                                                              : kvstore::Durability::normal));
    const long long first = std::stoll(argv[4]);
    const int threads = argc == 6 ? std::stoi(argv[5]) : 1;
    const auto write_from = [&](long long start) {
      try {
        for (long long i = start;; i += threads) {
          crash_op(store, i);
          say(std::to_string(i));
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "kvstore_crash_writer: %s\n", e.what());
        _exit(1);
      }
    };
    std::vector<std::thread> others;
    for (int t = 1; t < threads; ++t) others.emplace_back(write_from, first + t);
    write_from(first);  // never returns: the process is killed, or exits on a failure
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvstore_crash_writer: %s\n", e.what());
    return 1;
  }
}
