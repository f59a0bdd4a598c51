#include "signal_stop.hpp"

#include <atomic>

namespace kvcli {
namespace {

std::atomic<bool> stop_requested{false};  // set by the handler, so it must be lock-free
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void request_stop(int) { stop_requested.store(true); }

}  // namespace

SignalStop::SignalStop() {
  stop_requested.store(false);
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

SignalStop::~SignalStop() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

bool SignalStop::requested() const { return stop_requested.load(); }

}  // namespace kvcli
