// Runs the built `kvstore` CLI (KVSTORE_CLI_PATH, set by tests/CMakeLists.txt) as a child
// process for the [cli] tests: in the foreground with its stdout, stderr and exit code captured,
// or in the background (watch) with its stdout read line by line under a deadline.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support.hpp"

#ifndef KVSTORE_CLI_PATH
#error "KVSTORE_CLI_PATH must name the built kvstore CLI (tests/CMakeLists.txt)"
#endif

extern char** environ;

namespace clitest {

struct Result {
  int exit_code = -1;  // -1 if the process did not exit normally (killed by a signal)
  std::string out, err;
};

struct RunOptions {
  std::string input;             // written to the child's stdin (then closed)
  std::vector<std::string> env;  // NAME=VALUE added to the environment (KVSTORE_DB is removed)
  std::string cwd;               // working directory; empty: the test's
};

namespace detail {

// A pipe whose ends close themselves.
class Pipe {
 public:
  Pipe() {
    if (pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2] = {-1, -1};
};

// Our environment without KVSTORE_DB (so the tests choose the database), plus `extra`.
inline std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry; ++entry) {
    if (std::strncmp(*entry, "KVSTORE_DB=", 11) != 0) env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Starts kvstore with `args`, its stdin/stdout/stderr on the given pipes.
inline pid_t spawn(const std::vector<std::string>& args, const RunOptions& options, Pipe& in,
                   Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read_end(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), STDERR_FILENO);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  std::vector<std::string> argv_strings{KVSTORE_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = child_environment(options.env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, KVSTORE_CLI_PATH, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  in.close_read();
  out.close_write();
  err.close_write();
  return pid;
}

// Appends what is readable on fd to `sink`; false at end of file.
inline bool read_some(int fd, std::string& sink) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) sink.append(buffer, static_cast<std::size_t>(n));
  return n > 0 || (n < 0 && errno == EINTR);
}

inline int wait_exit_code(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace detail

// Runs kvstore to completion.
inline Result run(const std::vector<std::string>& args, const RunOptions& options = {}) {
  // A child that exits before reading all its input must not kill the test with SIGPIPE.
  static const bool sigpipe_ignored = (std::signal(SIGPIPE, SIG_IGN), true);
  (void)sigpipe_ignored;
  detail::Pipe in, out, err;
  const pid_t pid = detail::spawn(args, options, in, out, err);
  Result result;
  std::size_t written = 0;
  if (options.input.empty()) in.close_write();
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out.read_end(), POLLIN, 0});
    if (err_open) fds.push_back({err.read_end(), POLLIN, 0});
    if (in.write_end() >= 0) fds.push_back({in.write_end(), POLLOUT, 0});
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    for (const auto& p : fds) {
      if (!p.revents) continue;
      if (p.fd == out.read_end() && !detail::read_some(p.fd, result.out)) out_open = false;
      if (p.fd == err.read_end() && !detail::read_some(p.fd, result.err)) err_open = false;
      if (p.fd == in.write_end()) {
        const ssize_t n =
            ::write(p.fd, options.input.data() + written, options.input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == options.input.size()) in.close_write();
      }
    }
  }
  result.exit_code = detail::wait_exit_code(pid);
  return result;
}

// A kvstore process left running (watch): its stdout is read line by line as it comes.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args, const RunOptions& options = {})
      : pid_(detail::spawn(args, options, in_, out_, err_)) {
    in_.close_write();
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      detail::wait_exit_code(pid_);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // The next line of stdout (without '\n'), or nullopt if none came before `timeout` or the
  // process closed its stdout.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto end = out_text_.find('\n'); end != std::string::npos) {
        std::string line = out_text_.substr(0, end);
        out_text_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !out_open_) return std::nullopt;
      pollfd fds[2] = {{out_.read_end(), POLLIN, 0}, {err_.read_end(), POLLIN, 0}};
      const nfds_t count = err_open_ ? 2 : 1;
      if (poll(fds, count, static_cast<int>(left.count())) <= 0) continue;
      if (fds[0].revents && !detail::read_some(out_.read_end(), out_text_)) out_open_ = false;
      if (count == 2 && fds[1].revents && !detail::read_some(err_.read_end(), err_text_)) {
        err_open_ = false;
      }
    }
  }

  void signal(int signal_number) { ::kill(pid_, signal_number); }

  // Waits for the process to end (after signal()); returns what it printed beyond the lines
  // already read, and its exit code.
  Result wait() {
    while (out_open_ && detail::read_some(out_.read_end(), out_text_)) {
    }
    while (err_open_ && detail::read_some(err_.read_end(), err_text_)) {
    }
    out_open_ = err_open_ = false;
    Result result{detail::wait_exit_code(pid_), out_text_, err_text_};
    pid_ = -1;
    return result;
  }

 private:
  detail::Pipe in_, out_, err_;
  pid_t pid_;
  std::string out_text_, err_text_;  // read but not yet returned
  bool out_open_ = true, err_open_ = true;
};

// A store file in a fresh temporary directory, and the CLI run on it (--db).
class StoreFile {
 public:
  const std::string& path() const { return path_; }
  const kvtest::TempDir& dir() const { return dir_; }

  Result cli(std::vector<std::string> args, const RunOptions& options = {}) const {
    args.insert(args.begin(), {"--db", path_});
    return run(args, options);
  }

 private:
  kvtest::TempDir dir_;
  std::string path_ = dir_.file("store.db");
};

}  // namespace clitest
