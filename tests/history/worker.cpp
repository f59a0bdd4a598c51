#include "worker.hpp"

#include <kvstore/kvstore.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "keyspace.hpp"
#include "operations.hpp"
#include "recorder.hpp"
#include "watch_drain.hpp"

namespace history {
namespace {

using Deadline = std::chrono::steady_clock::time_point;

// Opens the round's file. With a busy_timeout of 0 or 1 ms the open itself may meet another
// process's lock: it is tried again until the deadline (the history starts once it is open).
void open_store(std::optional<kvstore::Store>& store, const RoundPlan& plan,
                kvstore::Options options, Deadline deadline) {
  // Failures with no caller to throw to (a background purge that met Busy, a change-feed gap)
  // would only fill stderr; what they did or did not commit is in the history.
  options.on_error = [](const std::string&) {};
  for (;;) {
    try {
      store.emplace(plan.store_path(), options);
      return;
    } catch (const kvstore::Busy&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
    }
  }
}

std::mt19937_64 thread_random(const RoundPlan& plan, int process, int thread) {
  std::seed_seq sequence{static_cast<std::uint32_t>(plan.seed),
                         static_cast<std::uint32_t>(plan.seed >> 32),
                         static_cast<std::uint32_t>(plan.round),
                         static_cast<std::uint32_t>(process), static_cast<std::uint32_t>(thread)};
  return std::mt19937_64(sequence);
}

}  // namespace

void run_worker(const RoundPlan& plan, int process, Deadline deadline) {
  const ProcessOptions& options = plan.processes.at(static_cast<std::size_t>(process));
  Recorder recorder(process, plan.history_path(process));
  Line described;
  described.tag = Line::Tag::options;
  described.process = process;
  described.polls = options.store.external_poll_interval.count() != 0;
  described.text = options.describe();
  recorder.log(described);

  {
    // Declared before the Store so that it outlives it: the Store's background purge may commit
    // until the Store is destroyed, and its events must be recorded.
    kvstore::Subscription subscription;
    std::optional<kvstore::Store> store;
    open_store(store, plan, options.store, deadline);
    subscription = store->on_change([&](const kvstore::Event& e) { recorder.on_event(e); });
    // The Store's own commits up to here (its background purge may have run since it opened)
    // were published to nobody.
    Line subscribed;
    subscribed.tag = Line::Tag::subscribed;
    subscribed.process = process;
    subscribed.count = revision_now(*store);
    recorder.log(subscribed);
    kvstore::LastModifiedStore layer(*store, options.layer);
    layer.start();
    kvstore::ScopedStore tenant(*store, kTenant, {static_cast<long long>(plan.max_keys), 0});
    const WatchDrain all(*store, recorder, 0, "*", options.watcher_capacity, deadline);
    const WatchDrain one(*store, recorder, 1, options.watched_group, options.watcher_capacity,
                         deadline);
    std::vector<std::thread> threads;
    for (int t = 0; t < plan.threads; ++t) {
      threads.emplace_back([&, t] {
        Context context{*store, layer, tenant, recorder, t, thread_random(plan, process, t)};
        while (std::chrono::steady_clock::now() < deadline) run_random_operation(context);
      });
    }
    for (auto& thread : threads) thread.join();
  }  // the drains, the layer, the Store and then the subscription end here
  recorder.close();
}

}  // namespace history
