// Helpers of the tests that run kvstore in several processes: a pipe to signal between them and
// a forked child that runs a function.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>

namespace kvtest {

class Pipe {
 public:
  Pipe() {
    if (pipe(fds_) != 0) throw std::runtime_error("pipe failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

  void send(char c) {
    while (::write(fds_[1], &c, 1) < 0 && errno == EINTR) {
    }
  }
  // The next byte, or nullopt at end of file (the writer closed or died) or after `timeout`
  // (a guard against a hung child, not a timing assertion; negative waits forever).
  std::optional<char> receive(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    pollfd p{fds_[0], POLLIN, 0};
    int rc;
    do {
      rc = poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    if (rc <= 0) return std::nullopt;
    char c;
    ssize_t n;
    do {
      n = ::read(fds_[0], &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) return std::nullopt;
    return c;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

// A forked child running `body`; exits 0 if body returns, 3 if it throws. Killed and reaped by
// the destructor if the test leaves early.
class Child {
 public:
  explicit Child(const std::function<void()>& body) {
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int code = 0;
      try {
        body();
      } catch (...) {
        code = 3;
      }
      _exit(code);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps the child (after which its pid is gone); returns the wait status.
  int wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

}  // namespace kvtest
