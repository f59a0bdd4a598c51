// The random operations of a worker thread, over the whole API: Store reads and writes,
// transactions, streamed values, the ScopedStore at its quota, the LastModifiedStore, purge and
// checkpoint. Each is recorded as one Call (a transaction as one per write inside it).
//
// Every value written is unique in the run ("p<process>t<thread>s<sequence>", with a suffix
// naming the path), so the checker maps any value read back to exactly one write.
#pragma once

#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "recorder.hpp"

namespace history {

// What one worker thread works with.
struct Context {
  kvstore::Store& store;
  kvstore::LastModifiedStore& layer;
  kvstore::ScopedStore& tenant;
  Recorder& recorder;
  int thread = 0;
  std::mt19937_64 random;
  std::uint64_t sequence = 0;  // of the values this thread writes
  std::uint64_t batches = 0;   // of the transactions this thread runs

  std::string unique_value(std::string_view suffix = {});
  std::uint64_t next_batch() { return (static_cast<std::uint64_t>(thread) << 32) | ++batches; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(random() % n); }
  // An index into `weights`, drawn with those weights.
  std::size_t weighted(std::initializer_list<int> weights);
  const std::string& key();
  const std::string& plain_group();    // "a" or "b"
  const std::string& checked_group();  // "a", "b" or "acme:x"
  // A Call of this thread on group/key, with `written` as the value it stores, if any.
  Call call(std::string op, std::string group, std::string key = {},
            std::optional<std::string> written = std::nullopt) const;
  // Runs fn as `call` and logs it.
  template <class Fn>
  void record(Call call, Fn&& fn) {
    Line line;
    line.call = recorder.run(std::move(call), std::forward<Fn>(fn));
    recorder.log(line);
  }
  // Records `op`: write(value) stores a new unique value under group/key. `json`: it is stored
  // as a JSON string (set_json), whose text is what the store holds.
  template <class Write>
  void put(const std::string& op, const std::string& group, const std::string& key, Write&& write,
           bool json = false) {
    const auto value = unique_value(":" + op);
    record(call(op, group, key, json ? nlohmann::json(value).dump() : value),
           [&](Call&) { write(value); });
  }
};

// Runs one operation drawn at random.
void run_random_operation(Context& context);

// The operation families (write_operations.cpp, read_operations.cpp); each draws its own
// variant and arguments.
void plain_write(Context& context);
void transaction_write(Context& context);
void stream_write(Context& context);
void tenant_write(Context& context);
void layer_operation(Context& context);
void store_read(Context& context);
void maintenance(Context& context);

}  // namespace history
