// What a store must hold after the failure sweep's workload: the calls that succeeded, applied to
// a plain map, with the events they must have published. A store is compared with it through its
// public API only (state_of).
#pragma once

#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sweep {

using Key = std::pair<std::string, std::string>;  // group, key

struct Row {
  std::string value;
  std::string tag;
  bool expires = false;  // has a TTL
  bool expired = false;  // its TTL has passed (then invisible to reads)
  bool operator==(const Row& other) const {
    return value == other.value && tag == other.tag && expires == other.expires;
  }
};

// What a reader sees: the live rows and the revision.
struct State {
  std::map<Key, Row> rows;
  std::uint64_t revision = 0;
  bool operator==(const State& other) const = default;
};

struct ExpectedEvent {
  kvstore::EventType type;
  std::string group, key;
  std::optional<std::string> value;  // exactly what the event holds (Event::value)
};

// What a set's event holds: the value written, or nothing (a streamed value over 64 KiB).
enum class EventHolds { value, nothing };

// Every mutating method stands for a call that succeeded, one commit unless inside a Batch. Each
// pauses the counting of C++ allocations (the sweep fails them only inside kvstore calls).
// history() holds the state after each commit, the first entry being the initial state: what a
// power cut may leave is one of these.
class Model {
 public:
  Model() { history_.push_back(state()); }

  // Groups the mutations made while it lives into one commit (a transaction).
  class Batch {
   public:
    explicit Batch(Model& model) : model_(model) { ++model_.batch_depth_; }
    ~Batch() {
      if (--model_.batch_depth_ == 0) model_.committed();
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

   private:
    Model& model_;
  };

  // A row that exists before the first commit (a file kvstore did not write).
  void seed(std::string_view group, std::string_view key, Row row);
  // `expired`: set with a TTL so short that it has passed when anything looks (never visible).
  void set(std::string_view group, std::string_view key, std::string_view value,
           bool expires = false, std::string_view tag = {}, EventHolds holds = EventHolds::value,
           bool expired = false);
  bool erase(std::string_view group, std::string_view key);
  std::size_t delete_group(std::string_view group);
  std::size_t delete_prefix(std::string_view prefix);
  std::size_t purge_expired();
  // Live keys in the groups of namespace `ns`.
  std::size_t namespace_keys(std::string_view ns) const;
  bool has(std::string_view group, std::string_view key) const;
  // Whether live group/key has a TTL.
  bool expires(std::string_view group, std::string_view key) const;

  State state() const;
  const std::vector<ExpectedEvent>& events() const { return events_; }
  const std::vector<State>& history() const { return history_; }

 private:
  void committed();
  void log(kvstore::EventType type, std::string_view group, std::string_view key,
           std::optional<std::string_view> value = std::nullopt);

  std::map<Key, Row> rows_;  // expired rows too, until something deletes them
  std::vector<ExpectedEvent> events_;
  std::uint64_t revision_ = 0;
  std::vector<State> history_;
  int batch_depth_ = 0;
};

// What `store` holds, read through its public API.
State state_of(kvstore::Store& store);

std::string describe(const State& state);

}  // namespace sweep
