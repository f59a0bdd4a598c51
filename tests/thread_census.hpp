// This process's threads, read from /proc/self/task (Linux): for tests that a component starts a
// thread only when it has work, and that the thread ends with it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>

#include "support.hpp"

namespace kvtest {

// The ids of this process's threads now.
inline std::set<std::string> thread_ids() {
  std::set<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    ids.insert(entry.path().filename().string());
  }
  return ids;
}

// The threads started since the census was taken. Ids, not counts, are compared: a thread that an
// earlier test joined may still be listed for a moment (the kernel reaps it right after join()
// returns), and its leaving must not hide a new one.
class ThreadCensus {
 public:
  ThreadCensus() : before_(thread_ids()) {}

  // How many threads started since the census are listed now.
  std::size_t started() const {
    std::size_t count = 0;
    for (const auto& id : thread_ids()) count += before_.count(id) == 0 ? 1 : 0;
    return count;
  }
  // Whether every thread started since the census has ended. Call after their owner joined them:
  // it polls (eventually) only for the kernel's reaping, which follows join() at once.
  bool all_ended() const {
    return eventually([&] { return started() == 0; });
  }

 private:
  std::set<std::string> before_;
};

}  // namespace kvtest
