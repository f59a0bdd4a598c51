// Makes writes share one group commit on purpose: a Store::Impl (src/core/store_impl.hpp) whose
// queue the test fills before the writes run. A blocking write leads first, alone, and holds the
// connection until the writes under test are all queued behind it; the first of them then leads
// them all as one batch (core/write_queue.hpp).
#pragma once

#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/held_store.hpp"
#include "core/store_impl.hpp"
#include "kvstore/options.hpp"
#include "util/operation.hpp"

namespace kvtest {

// What one write of a batch saw.
struct BatchOutcome {
  std::thread::id caller;    // the thread that called write()
  std::thread::id ran_on;    // the thread that ran its body (its batch's leader)
  std::exception_ptr error;  // what write() threw, if anything
};

class KVSTORE_HIDDEN GroupCommitRig {  // hidden like the Store::Impl it holds
 public:
  using Body = std::function<void(kvstore::detail::HeldStore&)>;

  GroupCommitRig(const std::string& path, const kvstore::Options& options)
      : impl(path, options),
        subscription_(impl.hub()->add_callback([this](const kvstore::Event& event) {
          const std::lock_guard lock(mutex_);
          events.push_back(event);
          delivered_on.push_back(std::this_thread::get_id());
        })) {}
  ~GroupCommitRig() { impl.hub()->remove_callback(subscription_); }
  GroupCommitRig(const GroupCommitRig&) = delete;
  GroupCommitRig& operator=(const GroupCommitRig&) = delete;

  // Runs each body as a write of its own thread, all queued behind one blocking write so that
  // they commit together; `while_blocked` runs in the blocker's body once they are queued (the
  // blocker commits nothing: it throws after). Returns each write's outcome, by body.
  std::vector<BatchOutcome> run_together(
      const std::vector<Body>& bodies, const std::function<void()>& while_blocked = [] {}) {
    std::vector<BatchOutcome> outcomes(bodies.size());
    std::promise<void> blocking;
    std::thread blocker([&] {
      try {
        impl.write(kvstore::detail::Operation::of("block"), [&](kvstore::detail::HeldStore&) {
          blocking.set_value();
          while (impl.write_queue().size() < bodies.size() + 1) std::this_thread::yield();
          while_blocked();
          throw Blocked{};
        });
      } catch (...) {  // Blocked, as planned
      }
    });
    blocking.get_future().wait();
    std::vector<std::thread> writers;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      writers.emplace_back([&, i] {
        auto& outcome = outcomes[i];
        outcome.caller = std::this_thread::get_id();
        try {
          impl.write(kvstore::detail::Operation::of("set"), [&](kvstore::detail::HeldStore& held) {
            outcome.ran_on = std::this_thread::get_id();
            bodies[i](held);
          });
        } catch (...) {
          outcome.error = std::current_exception();
        }
      });
    }
    for (auto& writer : writers) writer.join();
    blocker.join();
    return outcomes;
  }

  kvstore::Store::Impl impl;
  // Every event delivered, in delivery order, and the thread each was delivered on. Read them
  // once the writes returned.
  std::vector<kvstore::Event> events;
  std::vector<std::thread::id> delivered_on;

 private:
  struct Blocked {};
  std::mutex mutex_;
  std::shared_ptr<kvstore::detail::CallbackSlot> subscription_;
};

}  // namespace kvtest
