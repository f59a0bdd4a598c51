// Events: what changed in a Store, delivered to watchers (pull, bounded queues) and change
// callbacks (push, synchronous), always after the change was committed, in commit order: the
// revision order of every commit to the file, this Store's and other connections' (see
// Store::watch for what holds across connections, drops and resuming). Writes that share a group
// commit (see store.hpp) publish one event per change like any other, in the order they
// committed inside it; each writer's thread delivers its own write's events to the callbacks
// before its call returns (Store::on_change).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "kvstore/export.hpp"
#include "kvstore/options.hpp"

namespace kvstore {

enum class EventType {
  set,           // set, set_with_ttl, set_json, a committed stream write, and expire() or
                 // persist() changing a key's TTL (its value unchanged). See Event::value.
  erase,         // erase() removed a live key
  delete_group,  // delete_group(), or delete_prefix() once per group it removed; `key` is empty
  expire,        // a key removed because its TTL passed (purge, or lazy expiry on get)
  gap,           // changes by other connections were lost before this Store could read them:
                 // the change log was trimmed past them (Options::change_log_retention, and
                 // external_poll_interval). `revision` is the oldest revision still logged; some
                 // changes below it were not delivered. group and key are empty. Every
                 // watcher and callback receives it, whatever it watches: reload what you keep
                 // from events (LastModifiedStore drops what it held from before the gap).
};

// "set", "delete", "delete_group", "expire", "gap".
[[nodiscard]] KVSTORE_EXPORT std::string_view to_string(EventType type);

struct Event {
  EventType type = EventType::set;
  std::string group, key;
  // A `set` event's value: the value the change wrote. nullopt when the event does not carry it,
  // which never means "set to empty" (an empty value is an engaged empty string):
  // - every event other than `set`;
  // - a streamed value (blob.hpp) larger than 64 KiB, a streamed value whose TTL changed, and
  //   every streamed value in a replayed or external event: read it with Store::open_reader;
  // - a replayed or external `set` whose key was written again or removed before the log was
  //   read: the change log keeps no old values, so the value that change wrote is gone (a later
  //   event of the same key says what happened to it).
  // Own events of inline values, and replayed or external ones whose key still holds what the
  // change wrote, carry it.
  std::optional<std::string> value;
  Clock::time_point timestamp;  // when the change was made (millisecond precision)
  std::uint64_t revision = 0;   // the store revision the change produced
  // true when another connection (another Store object or process) made the change and this
  // Store learned of it from the change log.
  bool external = false;
};

// {"type", "group", "key", "value", "revision", "timestamp", "external"}; "value" is null when
// Event::value is nullopt; timestamp in RFC 3339 UTC with milliseconds, e.g.
// "2026-11-21T20:15:01.123Z". group/key/value are stored as JSON strings, so bytes that are not
// valid UTF-8 make nlohmann::json::dump() throw unless told otherwise.
KVSTORE_EXPORT void to_json(nlohmann::json& out, const Event& event);

namespace detail {
struct WatcherState;
class EventHub;
class CallbackSlot;
}  // namespace detail

// A subscription to the events of some groups/keys, read from a bounded queue.
// Obtained from Store::watch(). Movable, not copyable; the destructor unwatches.
// Thread-safety: every method may be called from any thread, concurrently with writers.
class KVSTORE_EXPORT Watcher {
 public:
  Watcher() = default;  // a closed watcher
  Watcher(Watcher&&) noexcept;
  Watcher& operator=(Watcher&&) noexcept;
  ~Watcher();

  // The next event, waiting up to `timeout` for one. nullopt on timeout, or once the watcher
  // is closed (by unwatch() from any thread, or by the Store's destruction): a blocked call
  // returns at once then.
  [[nodiscard]] std::optional<Event> next(std::chrono::milliseconds timeout);
  // The next event if one is queued; never blocks. nullopt if none or closed.
  [[nodiscard]] std::optional<Event> try_next();
  // Stops delivery and closes the queue; queued events are discarded. Idempotent.
  void unwatch();
  [[nodiscard]] bool closed() const;
  // How many events were dropped because the queue was full (the writer never waits).
  [[nodiscard]] std::uint64_t dropped() const;

 private:
  friend class Store;
  KVSTORE_HIDDEN Watcher(std::shared_ptr<detail::WatcherState> state,
                         std::weak_ptr<detail::EventHub> hub);
  std::shared_ptr<detail::WatcherState> state_;
  std::weak_ptr<detail::EventHub> hub_;
};

// Keeps an on_change callback registered. RAII: the destructor unsubscribes. Movable.
// Thread-safety: unsubscribe() (and the destructor) may be called from any thread.
class KVSTORE_EXPORT Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  ~Subscription();

  // After it returns the callback is neither running nor started again: a call running on
  // another thread is waited for, so whatever the callback uses may be destroyed next. Called
  // from inside the callback itself, the current call finishes normally after it returns.
  // Do not call it while holding a lock the callback takes (it would wait forever).
  // Idempotent; never throws.
  void unsubscribe() noexcept;

 private:
  friend class Store;
  KVSTORE_HIDDEN Subscription(std::shared_ptr<detail::CallbackSlot> slot,
                              std::weak_ptr<detail::EventHub> hub);
  std::shared_ptr<detail::CallbackSlot> slot_;
  std::weak_ptr<detail::EventHub> hub_;
};

}  // namespace kvstore
