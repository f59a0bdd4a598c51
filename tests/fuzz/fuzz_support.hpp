// Shared pieces of the libFuzzer targets (tools/fuzz.sh): one in-memory Store with no background
// threads, emptied after every input (opening a store per input would cost most of the time), and
// a check that aborts with a message, so libFuzzer records the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <kvstore/kvstore.hpp>
#include <string_view>

#include "../quiet_options.hpp"

namespace kvfuzz {

[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

inline void check(bool condition, std::string_view what) {
  if (!condition) fail(what);
}

// The store every input of this process uses; each input starts with it empty.
inline kvstore::Store& shared_store() {
  static kvstore::Store store(":memory:", kvtest::quiet());
  return store;
}

// Empties shared_store() when the input is done (also when it returned early), and trims the
// change log, so that no input depends on what an earlier one left.
class EmptyAfterInput {
 public:
  EmptyAfterInput() = default;
  EmptyAfterInput(const EmptyAfterInput&) = delete;
  EmptyAfterInput& operator=(const EmptyAfterInput&) = delete;
  ~EmptyAfterInput() {
    auto& store = shared_store();
    store.delete_prefix("");
    store.purge_expired();
    check(store.count_all() == 0, "the store is not empty after delete_prefix(\"\")");
  }
};

}  // namespace kvfuzz
