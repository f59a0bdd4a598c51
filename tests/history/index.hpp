// The writes a history says were committed (every own event any call published: its revision),
// looked up by revision, by the value they stored and by the key whose state they decide.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "history.hpp"

namespace history {

// One committed change: the event that published it and the call that made it.
struct Write {
  const Call* call = nullptr;
  const Change* change = nullptr;
  std::uint64_t revision() const { return change->revision; }
  // An erase, expire or delete_group: what it leaves is absence.
  bool removal() const { return change->type != kvstore::EventType::set; }
};

using KeyName = std::pair<std::string, std::string>;  // group, key

class Index {
 public:
  explicit Index(const History& history);

  // The write of `revision`, or nullptr if no call recorded one.
  const Write* at(std::uint64_t revision) const;
  // The write that stored `value`, or nullptr if none did.
  const Write* stored(const std::string& value) const;
  // The call that tried to write `value` and failed (or aborted it), or nullptr.
  const Call* unpublished(const std::string& value) const;
  // The writes that decide what group/key holds, by revision: its sets and erases (and
  // expiries), and the deletes of its group. Only for the keys of keyspace.hpp.
  const std::vector<Write>& writes_to(const KeyName& key) const;
  // Revisions that two writes claim (rule 2).
  const std::vector<std::pair<Write, Write>>& duplicates() const { return duplicates_; }
  const std::map<std::uint64_t, Write>& by_revision() const { return by_revision_; }

 private:
  void add(const Call& call, const Change& change);

  std::map<std::uint64_t, Write> by_revision_;
  std::map<std::string, Write> by_value_;
  std::map<std::string, const Call*> unpublished_;
  std::map<KeyName, std::vector<Write>> by_key_;
  std::vector<std::pair<Write, Write>> duplicates_;
};

// Whether a change may be missing from every history: a worker's Store purges the short TTLs
// in the background from the moment it opens, before its callback can subscribe to record it.
bool unrecordable(kvstore::EventType type, const std::string& group);

// The keyspace's keys, each with its group: those the checker follows.
const std::vector<KeyName>& checked_keys();

}  // namespace history
