// kvstore_feed_writer: a second process writing to a store, for the cross-process change-feed
// tests (tests/core/test_change_feed_process.cpp).
//
//   kvstore_feed_writer DB COMMAND ARGS... [COMMAND ARGS...]...
//
// Runs the commands in order with one kvstore::Store on DB (no background purge, no polling of
// others) and prints one line per event its own writes published, as
//   <revision> <type> <group> <key>
// (to_string(type); the key is "-" when empty), so the test can compare what it received with
// what was written. Commands:
//   set G K V             set
//   erase G K             erase (prints nothing if the key is absent)
//   ttl G K V MS          set_with_ttl
//   expire_purge G K V    set_with_ttl 1 ms, wait until expired, purge_expired()
//   expire_get G K V      set_with_ttl 1 ms, wait until expired, get() (lazy expiry)
//   delete_group G        delete_group
//   delete_prefix P       delete_prefix
//   transaction G         one transaction: set G/a=1, set G/b=2, erase G/a
//   sets N G              N sets G/k<i> = v<i>, i = 0..N-1, each its own commit
//   loop G                forever: transaction i sets G/<i>-0..<i>-3 to batch_value(i), where
//                         batch_value(i) = "v<i>:" followed by 4096 copies of 'a' + i % 26
//                         (for the SIGKILL test; never returns)
// Exit status: 0 on success, 1 when a kvstore call threw, 2 on a usage error.
#include <chrono>
#include <cstdio>
#include <exception>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "quiet_options.hpp"

namespace {

using namespace std::chrono_literals;

std::string batch_value(long long i) {
  return "v" + std::to_string(i) + ":" + std::string(4096, static_cast<char>('a' + i % 26));
}

// Returns once a key given a 1 ms TTL before this call has expired.
void wait_past_expiry() {
  const auto until = kvstore::Clock::now() + 5ms;
  while (kvstore::Clock::now() < until) std::this_thread::sleep_for(1ms);
}

struct Usage {
  std::string message;
};

class Args {
 public:
  Args(int argc, char** argv, int first) : argc_(argc), argv_(argv), next_(first) {}
  bool done() const { return next_ >= argc_; }
  std::string take(const char* what) {
    if (done()) throw Usage{std::string("missing ") + what};
    return argv_[next_++];
  }

 private:
  int argc_;
  char** argv_;
  int next_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DB COMMAND ARGS...\n", argv[0]);
    return 2;
  }
  try {
    kvstore::Store store(argv[1], kvtest::quiet());

    std::mutex out_mutex;
    auto subscription = store.on_change([&](const kvstore::Event& event) {
      std::lock_guard lock(out_mutex);
      std::printf("%llu %s %s %s\n", static_cast<unsigned long long>(event.revision),
                  std::string(kvstore::to_string(event.type)).c_str(), event.group.c_str(),
                  event.key.empty() ? "-" : event.key.c_str());
    });

    Args args(argc, argv, 2);
    while (!args.done()) {
      const std::string command = args.take("command");
      if (command == "set") {
        const auto group = args.take("group"), key = args.take("key");
        store.set(group, key, args.take("value"));
      } else if (command == "erase") {
        const auto group = args.take("group");
        store.erase(group, args.take("key"));
      } else if (command == "ttl") {
        const auto group = args.take("group"), key = args.take("key"), value = args.take("value");
        store.set_with_ttl(group, key, value,
                           std::chrono::milliseconds(std::stoll(args.take("ms"))));
      } else if (command == "expire_purge" || command == "expire_get") {
        const auto group = args.take("group"), key = args.take("key"), value = args.take("value");
        store.set_with_ttl(group, key, value, 1ms);
        wait_past_expiry();
        if (command == "expire_purge") {
          store.purge_expired();
        } else if (store.get(group, key)) {
          throw Usage{"expire_get: the key did not expire"};
        }
      } else if (command == "delete_group") {
        store.delete_group(args.take("group"));
      } else if (command == "delete_prefix") {
        store.delete_prefix(args.take("prefix"));
      } else if (command == "transaction") {
        const auto group = args.take("group");
        store.transaction([&](kvstore::Transaction& tx) {
          tx.set(group, "a", "1");
          tx.set(group, "b", "2");
          tx.erase(group, "a");
        });
      } else if (command == "sets") {
        const long long n = std::stoll(args.take("count"));
        const auto group = args.take("group");
        for (long long i = 0; i < n; ++i) {
          store.set(group, "k" + std::to_string(i), "v" + std::to_string(i));
        }
      } else if (command == "loop") {
        subscription.unsubscribe();
        const auto group = args.take("group");
        for (long long i = 0;; ++i) {
          const std::string value = batch_value(i);
          store.transaction([&](kvstore::Transaction& tx) {
            for (int k = 0; k < 4; ++k) {
              tx.set(group, std::to_string(i) + "-" + std::to_string(k), value);
            }
          });
        }
      } else {
        throw Usage{"unknown command " + command};
      }
    }
    std::fflush(stdout);
    return 0;
  } catch (const Usage& usage) {
    std::fprintf(stderr, "kvstore_feed_writer: %s\n", usage.message.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvstore_feed_writer: %s\n", e.what());
    return 1;
  }
}
