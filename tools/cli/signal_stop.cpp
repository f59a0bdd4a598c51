#include "signal_stop.hpp"

#include <atomic>

namespace kvcli {
namespace {

std::atomic<bool> stop_requested{false};  // set by the handler, so it must be lock-free
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void request_stop(int) { stop_requested.store(true); }

}  // namespace

// A handler that could not be read (SIG_ERR) is restored as the default one.
SignalStop::SignalStop() {
  stop_requested.store(false);
  previous_int_ = std::signal(SIGINT, request_stop);
  previous_term_ = std::signal(SIGTERM, request_stop);
}

SignalStop::~SignalStop() {
  std::signal(SIGINT, previous_int_ == SIG_ERR ? SIG_DFL : previous_int_);
  std::signal(SIGTERM, previous_term_ == SIG_ERR ? SIG_DFL : previous_term_);
}

bool SignalStop::requested() const { return stop_requested.load(); }

}  // namespace kvcli
