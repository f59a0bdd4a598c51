// Rule 4: what subscribers receive. Each on_change callback receives revisions in increasing
// order; in a process that polls for other connections' commits, without a hole (r, then r + 1)
// except across a gap event (after a gap at g, the next revision is at least g); in one that does
// not poll, no external event at all. Each watcher receives revisions in increasing order across
// its resumes and, in a process that polls, every revision of the final change log that it
// matches between the first and the last it received, except across a resume that threw
// (Compacted). Every event names the change its revision made, with the value written (for an
// external or replayed `set`, that write's value or none, never a later one's: see
// logged_value).
#include <algorithm>
#include <optional>
#include <set>

#include "checks.hpp"
#include "keyspace.hpp"
#include "op_kinds.hpp"

namespace history {
namespace {

using kvstore::EventType;

const Call* call_of(const Index& index, std::uint64_t revision) {
  const Write* write = index.at(revision);
  return write ? write->call : nullptr;
}

bool is_stream(const Call& call) { return call.op == "stream" || call.op == "tenant.stream"; }

// Whether an event that reads the value from the log may carry `value` for `write`: exactly
// that write's value, or none when the write's value is gone from the log's reach (the key was
// written or removed since, the write streamed its value, which the log does not carry, or the
// key is in the "ttl" group, whose keys expire within milliseconds, before or without a
// recorded removal). A later write's value is never acceptable: it would pass for this one's.
bool logged_value(const std::optional<std::string>& value, const Write& write, const Index& index) {
  const Change& made = *write.change;
  if (value) return value == made.value;
  if (!made.value || is_stream(*write.call) || made.group == kTtlGroup) return true;
  const auto& writes = index.writes_to({made.group, made.key});
  return std::any_of(writes.begin(), writes.end(),
                     [&](const Write& later) { return later.revision() > write.revision(); });
}

// The event against the change its revision made.
void check_change(const Change& got, bool exact, const std::string& who, const Index& index,
                  Violations& violations) {
  if (got.type == EventType::gap) return;
  const Write* write = index.at(got.revision);
  if (!write) {
    if (!unrecordable(got.type, got.group)) {
      violations.add(4, who + " received " + got.describe() + ", a revision no call recorded");
    }
    return;
  }
  const Change& made = *write->change;
  const bool same = got.type == made.type && got.group == made.group && got.key == made.key;
  const bool value_ok = got.type != EventType::set ||
                        (exact ? got.value == made.value : logged_value(got.value, *write, index));
  if (!same || !value_ok) {
    violations.add(4, who + " received " + got.describe() + " for " + made.describe(),
                   {write->call});
  }
}

// Revisions in increasing order; `contiguous`: each one the previous plus 1, except after a gap
// and for the revisions up to `excused`: the subscriber's own Store published its commits up to
// there before the subscriber existed.
class Order {
 public:
  Order(std::string who, bool contiguous, std::uint64_t excused, const Index& index,
        Violations& violations)
      : who_(std::move(who)),
        contiguous_(contiguous),
        excused_(excused),
        index_(index),
        violations_(violations) {}

  void next(const Change& change) {
    const auto r = change.revision;
    if (change.type == EventType::gap) {
      if (previous_ && r <= *previous_) report("a gap at " + std::to_string(r), r);
      gap_ = r;
      return;
    }
    const bool behind = previous_ && r <= *previous_;
    if (behind) {
      // One violation for a run of late revisions: they are one misdelivery.
      if (!behind_) report("revision " + std::to_string(r), r);
    } else if (gap_ && r < *gap_) {
      report("revision " + std::to_string(r) + " below the gap at " + std::to_string(*gap_), r);
    } else if (contiguous_ && previous_ && !gap_ && r != *previous_ + 1 && r - 1 > excused_) {
      report("revision " + std::to_string(r) + " (a hole)", r);
    }
    // The highest so far, so that what follows a late run is judged against it.
    previous_ = std::max(previous_.value_or(0), r);
    behind_ = behind;
    gap_.reset();
  }
  // After a resume that threw: what follows may skip revisions.
  void broken() { gap_ = previous_.value_or(0); }

 private:
  void report(const std::string& what, std::uint64_t r) {
    violations_.add(
        4, who_ + " received " + what + " after revision " + std::to_string(previous_.value_or(0)),
        {call_of(index_, previous_.value_or(0)), call_of(index_, r)});
  }

  const std::string who_;
  const bool contiguous_;
  const std::uint64_t excused_;
  const Index& index_;
  Violations& violations_;
  std::optional<std::uint64_t> previous_;  // the last revision that was not a gap
  std::optional<std::uint64_t> gap_;       // a gap since previous_
  bool behind_ = false;                    // the last revision was below previous_
};

std::string process_name(int process) {
  std::string name = "p";  // appended: GCC 12 warns falsely on "p" + std::string
  return name.append(std::to_string(process));
}

void check_callback(int process, const ProcessInfo& info, const ProcessLog& log, const Index& index,
                    Violations& violations) {
  const std::string who = process_name(process) + "'s on_change callback";
  const bool polls = info.polls;
  Order order(who, polls, info.subscribed, index, violations);
  for (const auto& change : log.delivered) {
    if (change.external && !polls) {
      violations.add(4, who + " received an external event with external_poll_interval 0: " +
                            change.describe());
    }
    order.next(change);
    check_change(change, !change.external, who, index, violations);
  }
}

bool matches(const std::string& filter, const kvstore::Event& event) {
  return filter == "*" || event.group == filter;
}

// Every logged revision the watcher matches between the first and the last it received in a
// span (spans end where a resume threw) was received, in whatever order (Order judges that).
void check_span(const std::string& who, const WatcherLog& watcher,
                const std::set<std::uint64_t>& got, const std::vector<kvstore::Event>& log,
                Violations& violations) {
  if (got.empty()) return;
  auto logged =
      std::upper_bound(log.begin(), log.end(), *got.begin(),
                       [](std::uint64_t r, const kvstore::Event& e) { return r < e.revision; });
  for (; logged != log.end() && logged->revision < *got.rbegin(); ++logged) {
    // The Store's own commits before the watcher existed were published without it.
    if (!matches(watcher.group, *logged) || logged->revision <= watcher.since) continue;
    if (got.count(logged->revision)) continue;
    violations.add(4, who + " missed revision " + std::to_string(logged->revision) +
                          ", between revisions " + std::to_string(*got.begin()) + " and " +
                          std::to_string(*got.rbegin()) + " that it received");
    return;
  }
}

void check_complete(const std::string& who, const WatcherLog& watcher,
                    const std::vector<kvstore::Event>& log, Violations& violations) {
  std::set<std::uint64_t> got;
  for (const auto& line : watcher.lines) {
    if (line.tag == Line::Tag::compacted) {
      check_span(who, watcher, got, log, violations);
      got.clear();
    } else if (line.change.type != EventType::gap) {
      got.insert(line.change.revision);
    }
  }
  check_span(who, watcher, got, log, violations);
}

void check_watcher(const std::string& who, const WatcherLog& watcher, bool polls,
                   const Index& index, const FinalState& final, Violations& violations) {
  Order order(who, false, 0, index, violations);
  for (const auto& line : watcher.lines) {
    if (line.tag == Line::Tag::compacted) {
      order.broken();
      continue;
    }
    const Change& change = line.change;
    if (change.type != EventType::gap && watcher.group != "*" && change.group != watcher.group) {
      violations.add(4, who + " received " + change.describe() + ", outside its group");
    }
    order.next(change);
    check_change(change, false, who, index, violations);
  }
  // Without the change feed a watcher sees other connections' commits only in replays.
  if (polls && final.error.empty()) check_complete(who, watcher, final.log, violations);
}

}  // namespace

void check_events(const History& history, const Index& index, const FinalState& final,
                  Violations& violations) {
  for (const auto& [process, info] : history.processes) {
    const auto log = load_process_log(history.directory, process);
    check_callback(process, info, log, index, violations);
    for (const auto& [id, watcher] : log.watchers) {
      const std::string who =
          process_name(process) + "'s watcher " + std::to_string(id) + " on " + watcher.group;
      check_watcher(who, watcher, info.polls, index, final, violations);
    }
  }
}

}  // namespace history
