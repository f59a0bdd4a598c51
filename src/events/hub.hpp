// EventHub: the registry of watchers and callbacks of one Store, and the delivery of committed
// changes to them in commit order.
//
// Locking: `registry_mutex_` guards the watcher index and the callback list; it is never held
// while a callback runs (callbacks are called on a snapshot). `order_mutex_` guards the delivery
// turn. `order_mutex_` is never held together with the Store's connection lock; `registry_mutex_`
// may be taken under it (watch from a revision registers while the log is read), never the other
// way round. A CallbackSlot's own mutex is taken alone.
//
// Publishing allocates nothing that could fail after the commit: a batch travels in its own queue
// node (events/batch.hpp), and an event a watcher cannot copy for lack of memory counts as dropped
// for that watcher.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/batch.hpp"
#include "events/watcher_state.hpp"
#include "kvstore/events.hpp"

namespace kvstore::detail {

// One on_change callback and whether it may still be called. A call starts only through
// try_begin_call(), under the slot's mutex, so deactivate() knows of every call that started.
class CallbackSlot {
 public:
  explicit CallbackSlot(std::function<void(const Event&)> fn) : fn(std::move(fn)) {}
  const std::function<void(const Event&)> fn;

  // Whether a call may start; if so the call runs on this thread until end_call().
  bool try_begin_call() noexcept;
  void end_call() noexcept;
  // After it returns no call starts and none is running, except one on this very thread (the
  // callback deactivating itself), which finishes normally.
  void deactivate() noexcept;

 private:
  std::mutex mutex_;
  std::condition_variable call_ended_;
  bool active_ = true;          // guarded by mutex_
  std::thread::id running_on_;  // guarded by mutex_; no id: no call is running
};

class EventHub {
 public:
  using Reporter = std::function<void(const std::string& message)>;
  explicit EventHub(Reporter report) : report_(std::move(report)) {}

  // Whether anyone listens; when no one does, writers skip building events.
  bool has_subscribers() const { return subscribers_.load(std::memory_order_acquire) > 0; }

  // Starts delivering to `watcher`. Its replay (if any) must be set before: a batch being
  // published concurrently may reach it from this call on.
  void add_watcher(const std::shared_ptr<WatcherState>& watcher);
  // Never throws (a watcher's destructor calls it).
  void remove_watcher(const std::shared_ptr<WatcherState>& watcher) noexcept;
  std::shared_ptr<CallbackSlot> add_callback(std::function<void(const Event&)> fn);
  // Deactivates the slot (see CallbackSlot::deactivate) and unregisters it.
  void remove_callback(const std::shared_ptr<CallbackSlot>& slot) noexcept;

  // The delivery turn of the batch a writer just committed. Must be called with the Store's
  // connection lock held, right after the commit, so that turns follow commit order.
  std::uint64_t take_turn() { return next_turn_.fetch_add(1); }

  // Delivers a committed batch (batch.mapped()) to watchers and callbacks once every earlier turn
  // was delivered, on the calling thread. Call without the connection lock. A batch committed
  // from inside a callback cannot wait for its turn (the caller holds an earlier one): it is
  // queued and delivered right after the turn before it ends, by the thread ending that turn.
  // Never throws and allocates nothing that can fail: a callback's exception is reported and
  // does not stop the others.
  void publish(std::uint64_t turn, BatchNode batch) noexcept;

  // Closes every watcher and deactivates every callback (the Store is going away); waits for a
  // callback running on another thread. Never throws.
  void close_all() noexcept;

 private:
  void deliver(const std::vector<Event>& batch);
  void offer_to_watchers(const Event& event);

  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using WatcherList = std::vector<std::shared_ptr<WatcherState>>;
  using WatcherIndex =
      std::unordered_map<std::string, WatcherList, TransparentHash, std::equal_to<>>;
  using CallbackList = std::vector<std::shared_ptr<CallbackSlot>>;

  WatcherList& list_for(const WatchFilter& filter);

  // Reports `message` built by make(); a failure to build or report it is ignored (publishing
  // must not throw).
  template <class Make>
  void report_quietly(Make&& make) const noexcept {
    try {
      report_(make());
    } catch (...) {
    }
  }

  const Reporter report_;

  mutable std::shared_mutex registry_mutex_;
  WatcherIndex by_group_;      // exact-group watchers, by group
  WatcherIndex by_namespace_;  // namespace-wide watchers, by "ns:" prefix
  WatcherList all_groups_;
  std::shared_ptr<const CallbackList> callbacks_ = std::make_shared<CallbackList>();
  std::atomic<std::size_t> subscribers_{0};

  std::atomic<std::uint64_t> next_turn_{0};
  std::mutex order_mutex_;
  std::condition_variable turn_ended_;
  std::uint64_t serving_ = 0;  // guarded by order_mutex_
  BatchQueue queued_;          // guarded by order_mutex_
};

}  // namespace kvstore::detail
