#include "fault_control.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <bit>

namespace kvfault {
namespace {

// How many CountAllocationsHere are alive on this thread (0 = not counting). A plain int with
// constant initialisation: reading it from operator new needs no allocation and no TLS guard.
thread_local int allocation_counting_depth = 0;

}  // namespace

Control& Control::get() {
  // A function-local static, destroyed at exit: harmless, since no wrapped call runs after main()
  // returns (the tests join every thread they start).
  static Control control;
  return control;
}

void Control::reset() {
  disarm();
  fired_.store(false);
  clear_power_state();
  for (auto& count : counts_) count.store(0);
  PauseAllocationCounting pause;
  std::lock_guard lock(journals_mutex_);
  for (Journal* journal : journals_) journal->forget_unsynced();
}

std::uint64_t Control::count(CallSet calls) const {
  std::uint64_t total = 0;
  for (int bit = 0; bit < kBits; ++bit) {
    if (calls & (1u << bit)) total += counts_[bit].load(std::memory_order_relaxed);
  }
  return total;
}

void Control::arm(const Fault& fault) {
  // Disarmed while the fields change, and the call set stored last (release): a decide() that
  // sees the new set also sees the new nth, code and counter.
  fault_calls_.store(0);
  fault_nth_.store(fault.nth);
  fault_code_.store(fault.sqlite_code);
  fault_persistent_.store(fault.persistent);
  fault_seen_.store(0);
  fired_.store(false);
  fault_calls_.store(fault.calls, std::memory_order_release);
}

void Control::disarm() { fault_calls_.store(0); }

bool Control::fired() const { return fired_.load(); }

int Control::decide(Call call) {
  const CallSet bit = call;
  counts_[std::countr_zero(bit) % kBits].fetch_add(1, std::memory_order_relaxed);

  const bool io = (bit & kIoCalls) != 0;
  if (io && power_cut_.load(std::memory_order_acquire)) return SQLITE_IOERR;

  if (cut_calls_.load(std::memory_order_acquire) & bit) {
    // ">=": a call racing with the one that cuts the power must not slip through.
    if (cut_seen_.fetch_add(1) + 1 >= cut_nth_.load()) {
      power_cut_.store(true, std::memory_order_release);
      return SQLITE_IOERR;
    }
  }

  if (fault_calls_.load(std::memory_order_acquire) & bit) {
    const std::uint64_t seen = fault_seen_.fetch_add(1) + 1;
    const std::uint64_t nth = fault_nth_.load();
    if (seen == nth || (seen > nth && fault_persistent_.load())) {
      fired_.store(true);
      return fault_code_.load();
    }
  }
  return 0;
}

void Control::arm_cut(CallSet calls, std::uint64_t nth) {
  cut_calls_.store(0);
  cut_nth_.store(nth);
  cut_seen_.store(0);
  cut_calls_.store(calls & kIoCalls, std::memory_order_release);
}

bool Control::power_is_cut() const { return power_cut_.load(); }

void Control::restore_power(LossMode mode, std::uint64_t seed) {
  PauseAllocationCounting pause;
  std::lock_guard lock(journals_mutex_);
  // Forgetting and restoring happen whatever a journal throws, so one failed run cannot leave
  // the power cut for the next test.
  struct Restore {
    Control& control;
    ~Restore() {
      for (Journal* journal : control.journals_) journal->forget_unsynced();
      control.clear_power_state();
    }
  } restore{*this};
  std::mt19937_64 random(seed);
  for (Journal* journal : journals_) journal->lose_unsynced(mode, random);
}

void Control::set_real_sync(bool on) { real_sync_.store(on); }

bool Control::real_sync() const { return real_sync_.load(); }

void Control::add_journal(Journal* journal) {
  PauseAllocationCounting pause;
  std::lock_guard lock(journals_mutex_);
  if (std::find(journals_.begin(), journals_.end(), journal) == journals_.end()) {
    journals_.push_back(journal);
  }
}

void Control::remove_journal(Journal* journal) {
  std::lock_guard lock(journals_mutex_);
  std::erase(journals_, journal);
}

void Control::clear_power_state() {
  cut_calls_.store(0);
  cut_seen_.store(0);
  power_cut_.store(false);
}

CountAllocationsHere::CountAllocationsHere() { ++allocation_counting_depth; }

CountAllocationsHere::~CountAllocationsHere() { --allocation_counting_depth; }

PauseAllocationCounting::PauseAllocationCounting() : saved_depth_(allocation_counting_depth) {
  allocation_counting_depth = 0;
}

PauseAllocationCounting::~PauseAllocationCounting() { allocation_counting_depth = saved_depth_; }

bool counting_allocations_here() noexcept { return allocation_counting_depth > 0; }

}  // namespace kvfault
