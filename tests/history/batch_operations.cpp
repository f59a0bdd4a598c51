// Transactions of 2-3 writes, on the Store or on the ScopedStore (quota-checked inside the
// transaction, where a QuotaExceeded rolls the whole of it back).
#include "keyspace.hpp"
#include "operations.hpp"

namespace history {
namespace {

template <class Transaction>
void apply(Transaction& tx, Call& write, const std::string& group) {
  if (write.written) {
    tx.set(group, write.key, *write.written);
  } else {
    write.number = tx.erase(group, write.key) ? 1 : 0;
  }
}

// Whether `change` is the event `write` publishes.
bool publishes(const Call& write, const Change& change) {
  if (change.group != write.group || change.key != write.key) return false;
  if (write.written)
    return change.type == kvstore::EventType::set && change.value == *write.written;
  // An erase that found nothing published nothing: the next erase of the key owns the event.
  return write.number == 1 && change.type == kvstore::EventType::erase;
}

// Logs one call per write of the transaction `whole`: each shares its interval and outcome and
// takes the first of its events that is its own; events no write accounts for are logged as an
// "unexplained" call, which the checker reports.
void log_writes(Context& c, Call whole, std::vector<Call> writes) {
  for (auto& write : writes) {
    write.start = whole.start;
    write.end = whole.end;
    write.outcome = whole.outcome;
    write.message = whole.message;
    for (auto change = whole.changes.begin(); change != whole.changes.end(); ++change) {
      if (publishes(write, *change)) {
        write.changes.push_back(*change);
        whole.changes.erase(change);
        break;
      }
    }
    Line line;
    line.call = std::move(write);
    c.recorder.log(line);
  }
  if (whole.changes.empty()) return;
  whole.op = "unexplained";
  whole.batch = writes.empty() ? 0 : writes.front().batch;
  Line line;
  line.call = std::move(whole);
  c.recorder.log(line);
}

}  // namespace

void transaction_write(Context& c) {
  const bool scoped = c.below(3) == 0;
  const std::string prefix = scoped ? "tenant_tx." : "tx.";
  const auto batch = c.next_batch();
  std::vector<Call> writes;
  for (auto n = 2 + c.below(2); n > 0; --n) {
    const auto& group = scoped ? kScopedGroup : c.plain_group();
    const auto& key = c.key();
    if (c.below(4) == 0) {
      writes.push_back(c.call(prefix + "erase", group, key));
    } else {
      writes.push_back(c.call(prefix + "set", group, key, c.unique_value(":tx")));
    }
    writes.back().batch = batch;
  }
  auto whole = c.recorder.run(c.call("transaction", ""), [&](Call&) {
    if (scoped) {
      c.tenant.transaction([&](kvstore::ScopedTransaction& tx) {
        for (auto& write : writes) apply(tx, write, kTenantGroup);
      });
    } else {
      c.store.transaction([&](kvstore::Transaction& tx) {
        for (auto& write : writes) apply(tx, write, write.group);
      });
    }
  });
  log_writes(c, std::move(whole), std::move(writes));
}

}  // namespace history
