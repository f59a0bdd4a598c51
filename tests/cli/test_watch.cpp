// `kvstore watch` in one process follows the changes other kvstore processes make, and ends
// cleanly (exit 0) on SIGINT or SIGTERM.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Generous: the watcher polls every 100 ms; this only bounds a failing test.
constexpr auto kDeadline = 20s;

std::string current_revision(const StoreFile& store) {
  return std::to_string(json::parse(store.cli({"--json", "stats"}).out)["revision"].get<long>());
}

}  // namespace

TEST_CASE("watch sees a set and a del made by another kvstore process", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "config", "seed", "1"}).exit_code == 0);
  // From the current revision: changes made before the watcher subscribes are replayed, so no
  // wait for it to start is needed.
  clitest::Background watch(
      {"--db", store.path(), "--json", "watch", "--from-revision", current_revision(store)});

  REQUIRE(store.cli({"set", "config", "theme", "dark"}).exit_code == 0);
  REQUIRE(store.cli({"del", "config", "theme"}).exit_code == 0);

  const auto first = watch.next_line(kDeadline);
  REQUIRE(first.has_value());
  const auto set = json::parse(*first);
  CHECK(set["type"] == "set");
  CHECK(set["group"] == "config");
  CHECK(set["key"] == "theme");
  // true when delivered live; a change that was replayed (made before the watcher subscribed)
  // carries false: the change log does not record which connection wrote it.
  CHECK(set["external"].is_boolean());
  CHECK(set["revision"].get<long>() > 1);
  CHECK(set["timestamp"].get<std::string>().ends_with("Z"));

  const auto second = watch.next_line(kDeadline);
  REQUIRE(second.has_value());
  const auto del = json::parse(*second);
  CHECK(del["type"] == "delete");
  CHECK(del["key"] == "theme");
  CHECK(del["revision"].get<long>() == set["revision"].get<long>() + 1);

  watch.signal(SIGINT);
  const auto result = watch.wait();
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("watch filters by group and key, replays from a revision, stops on SIGTERM", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "a", "x", "1"}).exit_code == 0);
  REQUIRE(store.cli({"set", "b", "y", "2"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "z", "3"}).exit_code == 0);

  clitest::Background group({"--db", store.path(), "watch", "a", "--from-revision", "0"});
  CHECK(group.next_line(kDeadline) == "1\tset\ta\tx\t1");
  CHECK(group.next_line(kDeadline) == "3\tset\ta\tz\t3");

  clitest::Background key({"--db", store.path(), "watch", "a", "z", "--from-revision", "0"});
  CHECK(key.next_line(kDeadline) == "3\tset\ta\tz\t3");
  REQUIRE(store.cli({"set", "a", "x", "4"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "z", "5"}).exit_code == 0);
  CHECK(key.next_line(kDeadline) == "5\tset\ta\tz\t5");
  CHECK(group.next_line(kDeadline) == "4\tset\ta\tx\t4");
  CHECK(group.next_line(kDeadline) == "5\tset\ta\tz\t5");

  group.signal(SIGTERM);
  key.signal(SIGINT);
  CHECK(group.wait().exit_code == 0);
  CHECK(key.wait().exit_code == 0);
}

TEST_CASE("watch --namespace follows only its namespace, with unprefixed groups", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "seed", "k", "v"}).exit_code == 0);
  clitest::Background watch({"--db", store.path(), "--namespace", "t1", "--json", "watch",
                             "--from-revision", current_revision(store)});
  REQUIRE(store.cli({"--namespace", "t2", "set", "g", "k", "other tenant"}).exit_code == 0);
  REQUIRE(store.cli({"set", "g", "k", "no namespace"}).exit_code == 0);
  REQUIRE(store.cli({"--namespace", "t1", "set", "g", "k", "mine"}).exit_code == 0);
  const auto line = watch.next_line(kDeadline);
  REQUIRE(line.has_value());
  const auto event = json::parse(*line);
  CHECK(event["group"] == "g");
  CHECK(event["value"] == "mine");
  watch.signal(SIGINT);
  const auto result = watch.wait();
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());  // nothing else was delivered
}

TEST_CASE("watch from a revision the change log no longer holds is a store error", "[cli]") {
  StoreFile store;
  {
    kvstore::Options options;
    options.change_log_retention = 1;
    kvstore::Store writer(store.path(), options);
    for (int i = 0; i < 5; ++i) writer.set("g", std::to_string(i), "v");
    writer.purge_expired();  // trims the change log to its newest entry
  }
  const auto result = store.cli({"watch", "--from-revision", "1"});
  CHECK(result.exit_code == 3);
  CHECK(result.err.starts_with("kvstore: "));
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("watch from a revision after the latest one is a usage error", "[cli][limits]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "k", "v"}).exit_code == 0);
  // In the background: a watch that wrongly starts would follow until signalled.
  clitest::Background watch({"--db", store.path(), "watch", "--from-revision", "2"});
  CHECK_FALSE(watch.next_line(kDeadline).has_value());  // it ends without printing
  watch.signal(SIGTERM);
  const auto result = watch.wait();
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("revision 2 is after the latest revision 1") != std::string::npos);
}

TEST_CASE("watch marks a replayed set whose value the change log no longer holds", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "a", "x", "old"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "x", "new"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "gone", "v"}).exit_code == 0);
  REQUIRE(store.cli({"del", "a", "gone"}).exit_code == 0);
  REQUIRE(store.cli({"set", "a", "empty", ""}).exit_code == 0);

  // TSV: \N, which an escaped value cannot be (a backslash is written \\).
  clitest::Background tsv({"--db", store.path(), "watch", "--from-revision", "0"});
  CHECK(tsv.next_line(kDeadline) == "1\tset\ta\tx\t\\N");  // overwritten by revision 2
  CHECK(tsv.next_line(kDeadline) == "2\tset\ta\tx\tnew");
  CHECK(tsv.next_line(kDeadline) == "3\tset\ta\tgone\t\\N");  // deleted by revision 4
  CHECK(tsv.next_line(kDeadline) == "4\tdelete\ta\tgone\t\\N");
  CHECK(tsv.next_line(kDeadline) == "5\tset\ta\tempty\t");  // set to empty: a value

  clitest::Background js({"--db", store.path(), "--json", "watch", "--from-revision", "0"});
  std::vector<json> events;
  for (int i = 0; i < 5; ++i) {
    const auto line = js.next_line(kDeadline);
    REQUIRE(line.has_value());
    events.push_back(json::parse(*line));
  }
  CHECK(events[0]["value"].is_null());
  CHECK(events[1]["value"] == "new");
  CHECK(events[2]["value"].is_null());
  CHECK(events[3]["value"].is_null());
  CHECK(events[4]["value"] == "");

  tsv.signal(SIGINT);
  js.signal(SIGINT);
  CHECK(tsv.wait().exit_code == 0);
  CHECK(js.wait().exit_code == 0);
}
