// Rules 1 and 2, call by call: what each call threw, and the events (revisions) it published
// against what it reported doing.
#include <algorithm>

#include "checks.hpp"
#include "keyspace.hpp"
#include "op_kinds.hpp"

namespace history {
namespace {

using kvstore::EventType;

bool is(const Change& change, EventType type, const std::string& group, const std::string& key) {
  return change.type == type && change.group == group && change.key == key;
}

// Only lazy expiry of the short TTLs: what a read, a purge or a background pass may publish.
bool only_expiries(const Call& call) {
  return std::all_of(call.changes.begin(), call.changes.end(), [](const Change& change) {
    return change.type == EventType::expire && change.group == kTtlGroup;
  });
}

bool one(const Call& call, EventType type, const std::string& key) {
  return call.changes.size() == 1 && is(call.changes[0], type, call.group, key);
}

// Whether a successful call published exactly what it reported doing.
bool published_as_reported(const Call& call) {
  switch (kind_of(call.op)) {
    case OpKind::put:
      return one(call, EventType::set, call.key) && call.changes[0].value == call.written;
    case OpKind::remove_key:
      return call.number == 0 ? call.changes.empty() : one(call, EventType::erase, call.key);
    case OpKind::remove_group:
      return call.number == 0 ? call.changes.empty() : one(call, EventType::delete_group, "");
    case OpKind::remove_prefix:
      return (call.number == 0) == call.changes.empty() &&
             std::all_of(call.changes.begin(), call.changes.end(), [&](const Change& change) {
               return change.type == EventType::delete_group &&
                      change.group.rfind(call.group, 0) == 0;
             });
    case OpKind::purge:
      return only_expiries(call) && call.changes.size() == call.number;
    case OpKind::never_published:
      return call.changes.empty();
    case OpKind::unexplained:
      return false;
    case OpKind::read_value:
    case OpKind::read_revision:
    case OpKind::read_group:
    case OpKind::layer_read:
    case OpKind::maintenance:
    case OpKind::background:
      return only_expiries(call);
  }
  return false;
}

}  // namespace

void check_calls(const History& history, const Index& index, Violations& violations) {
  for (const auto& call : history.calls) {
    if (call.outcome.rfind("foreign", 0) == 0) {
      violations.add(1, "a call threw something that is not a kvstore::Error", {&call});
    }
    if (call.ok()) {
      if (!published_as_reported(call)) {
        violations.add(2, "the events (revisions) a call published are not what it did", {&call});
      }
    } else if (!call.changes.empty() && kind_of(call.op) != OpKind::purge) {
      // A purge commits in batches: an earlier batch stays when a later one fails.
      violations.add(2, "a call that failed published a change (it committed)", {&call});
    }
  }
  for (const auto& [first, second] : index.duplicates()) {
    violations.add(2, "two changes have revision " + std::to_string(first.revision()),
                   {first.call, second.call});
  }
}

}  // namespace history
