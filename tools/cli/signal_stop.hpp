// SIGINT and SIGTERM as a request to stop that a loop polls (watch): the handler only sets an
// atomic flag. RAII: the previous handlers come back on destruction. std::signal, not sigaction:
// Windows has only the C standard's.
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
  using Handler = void (*)(int);
  Handler previous_int_ = SIG_DFL;
  Handler previous_term_ = SIG_DFL;
};

}  // namespace kvcli
