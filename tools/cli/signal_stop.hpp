// SIGINT and SIGTERM as a request to stop that a loop polls (watch): the handler only sets an
// atomic flag. RAII: the previous handlers come back on destruction.
#pragma once

#include <csignal>

namespace kvcli {

class SignalStop {
 public:
  SignalStop();
  ~SignalStop();
  SignalStop(const SignalStop&) = delete;
  SignalStop& operator=(const SignalStop&) = delete;

  // Whether SIGINT or SIGTERM arrived since construction.
  bool requested() const;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace kvcli
