// Running a check where file permissions apply: the tests run as root, which chmod does not stop,
// so the check runs in a forked child that has dropped root (to nobody, uid/gid 65534). The child
// makes no Catch assertions: it returns 0 or the number of the step that failed, and says why on
// stderr.
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

namespace kvtest {

// Runs `body` in a forked child that has dropped root so that file permissions apply; returns
// body's result (0 = success, else the number of the failed step), or -1 if the child could not
// drop root.
inline int as_unprivileged(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid < 0) return -2;
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(255);
    int code = 100;
    try {
      code = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "unprivileged child: unexpected exception: %s\n", e.what());
    }
    _exit(code);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return -3;
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

// For the unprivileged child: reports `what` on stderr and returns `step` when it failed.
inline int step_failed(int step, const std::string& what) {
  std::fprintf(stderr, "unprivileged child: step %d: %s\n", step, what.c_str());
  return step;
}

inline bool running_as_root() { return ::geteuid() == 0; }

// Runs `body` where file permissions apply (dropping root first when the test runs as root) and
// checks that it succeeded. Returns false, with a warning, when root cannot be dropped: root
// ignores chmod, so there is nothing left to test.
inline bool check_unprivileged(const std::function<int()>& body) {
  const int result = running_as_root() ? as_unprivileged(body) : body();
  if (result == -1) {
    WARN("skipped: cannot drop root, and root ignores chmod");
    return false;
  }
  CHECK(result == 0);
  return true;
}

}  // namespace kvtest
