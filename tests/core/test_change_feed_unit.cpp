// detail::ChangeFeed (src/core/change_feed.hpp): what a connection to a file learns of the commits
// of other connections. It starts at the end of the log, returns the others' changes oldest first
// and marked external, skips the revisions remembered as its own, reports changes trimmed away
// before it read them as a `gap` with their number, and does nothing when disabled.
//
// File only: a change feed reads the table log that other connections write.
#include <catch2/catch.hpp>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <string>
#include <vector>

#include "core/change_feed.hpp"
#include "core_parts.hpp"
#include "support.hpp"

namespace {

using kvstore::Event;
using kvstore::EventType;

// One Store on a file (the other connection) and, on the same file, the parts of a second
// connection with its change feed.
struct FeedRig {
  explicit FeedRig(bool enabled = true, kvstore::Options other_options = kvtest::no_purge())
      : other(dir.file("store.db"), other_options),
        mine(dir.file("store.db")),
        feed(mine.rows.changes, mine.log, enabled) {}

  // Commits a set on this side's connection, as the Store does, and remembers it as its own.
  std::uint64_t commit_own_set(const std::string& key) {
    mine.connection.begin_immediate();
    mine.connection.database().exec("INSERT INTO kv(grp, key, value) VALUES ('g', '" + key +
                                    "', 'mine')");
    std::vector<std::uint64_t> revisions{mine.log.append(EventType::set, "g", key, 0)};
    feed.reserve_own(revisions.size());
    mine.connection.commit();
    const auto revision = revisions.front();
    feed.remember_own(revisions);
    CHECK(revisions.empty());
    return revision;
  }

  std::vector<Event> poll() { return feed.poll(missed); }

  kvtest::TempDir dir;
  kvstore::Store other;
  kvtest::CoreParts mine;
  kvstore::detail::ChangeFeed feed;
  std::uint64_t missed = 0;
};

std::vector<std::uint64_t> revisions_of(const std::vector<Event>& events) {
  std::vector<std::uint64_t> revisions;
  for (const auto& event : events) revisions.push_back(event.revision);
  return revisions;
}

}  // namespace

TEST_CASE("ChangeFeed: starts at the end of the log and returns later external changes",
          "[feed][change_feed]") {
  FeedRig rig;
  rig.other.set("g", "earlier", "0");  // revision 1, before the feed below starts
  kvstore::detail::ChangeFeed feed(rig.mine.rows.changes, rig.mine.log, true);
  std::uint64_t missed = 0;
  CHECK(feed.poll(missed).empty());

  rig.other.set("g", "a", "1");
  rig.other.erase("g", "a");
  rig.other.set("h", "b", "2");
  const auto events = feed.poll(missed);

  REQUIRE(events.size() == 3);
  CHECK(revisions_of(events) == std::vector<std::uint64_t>{2, 3, 4});
  CHECK(events[0].type == EventType::set);
  CHECK(events[1].type == EventType::erase);
  CHECK(events[2].type == EventType::set);
  CHECK(events[2].group == "h");
  CHECK(events[2].value == "2");
  for (const auto& event : events) CHECK(event.external);
  CHECK(missed == 0);
  CHECK(feed.poll(missed).empty());  // nothing new
}

TEST_CASE("ChangeFeed: the connection's own revisions are not returned", "[feed][change_feed]") {
  FeedRig rig;
  rig.other.set("g", "theirs-1", "1");
  const auto own = rig.commit_own_set("own");
  rig.other.set("g", "theirs-2", "2");

  const auto events = rig.poll();
  REQUIRE(events.size() == 2);
  CHECK(events[0].key == "theirs-1");
  CHECK(events[1].key == "theirs-2");
  for (const auto& event : events) CHECK(event.revision != own);
  CHECK(rig.missed == 0);
}

TEST_CASE("ChangeFeed: with only its own commits since the last poll it returns nothing",
          "[feed][change_feed]") {
  FeedRig rig;
  rig.commit_own_set("a");
  rig.commit_own_set("b");
  CHECK(rig.poll().empty());
  rig.other.set("g", "theirs", "1");
  const auto events = rig.poll();
  REQUIRE(events.size() == 1);
  CHECK(events[0].key == "theirs");
}

TEST_CASE("ChangeFeed: changes trimmed before it read them are reported as a gap",
          "[feed][change_feed]") {
  auto options = kvtest::no_purge();
  options.change_log_retention = 2;
  FeedRig rig(true, options);
  for (int i = 1; i <= 5; ++i) rig.other.set("g", "k" + std::to_string(i), "v");
  rig.other.purge_expired();  // trims the log to its newest 2 entries: 4 and 5
  const std::uint64_t oldest_left = 4;

  const auto events = rig.poll();

  REQUIRE_FALSE(events.empty());
  CHECK(events.front().type == EventType::gap);
  CHECK(events.front().revision == oldest_left);
  CHECK(events.front().external);
  CHECK(rig.missed == oldest_left - 1);
  CHECK(revisions_of(events) == std::vector<std::uint64_t>{4, 4, 5});
}

TEST_CASE("ChangeFeed: own revisions trimmed away are not counted as missed",
          "[feed][change_feed]") {
  auto options = kvtest::no_purge();
  options.change_log_retention = 1;
  FeedRig rig(true, options);
  rig.commit_own_set("a");            // revision 1
  rig.commit_own_set("b");            // revision 2
  rig.other.set("g", "theirs", "1");  // revision 3
  rig.other.set("g", "theirs", "2");  // revision 4
  rig.other.purge_expired();          // keeps revision 4 only

  const auto events = rig.poll();

  REQUIRE(events.size() == 2);
  CHECK(events[0].type == EventType::gap);
  CHECK(rig.missed == 1);  // revision 3; 1 and 2 were this connection's own
  CHECK(events[1].revision == 4);
}

TEST_CASE("ChangeFeed: a disabled feed keeps none of the revisions handed to it, polls nothing",
          "[feed][change_feed]") {
  FeedRig rig(false);
  CHECK_FALSE(rig.feed.enabled());
  rig.commit_own_set("own");  // checks that remember_own emptied the revisions
  rig.other.set("g", "theirs", "v");
  std::uint64_t missed = 1;
  CHECK(rig.feed.poll(missed).empty());
  CHECK(missed == 0);
}
