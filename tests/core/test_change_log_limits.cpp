// The change log at the limits of its settings and arguments: a change_log_retention too large
// for SQLite's integers keeps everything, and a revision after the latest one (up to UINT64_MAX)
// is refused by changes_since and watch instead of overflowing.
#include <catch2/catch.hpp>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <limits>
#include <string>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "core/feed_support.hpp"
#include "event_support.hpp"
#include "support.hpp"

namespace {

using kvtest::contains;
using kvtest::message_of;

constexpr auto kMaxRevision = std::numeric_limits<std::uint64_t>::max();

}  // namespace

TEST_CASE("a change_log_retention of 2^63 or more keeps the whole change log", "[feed][limits]") {
  const auto backend = kvtest::each_backend();
  const std::size_t retention =
      GENERATE(std::numeric_limits<std::size_t>::max(), std::size_t{1} << 63);
  INFO("retention " << retention);
  auto options = kvtest::no_purge();
  options.change_log_retention = retention;
  kvstore::Store store(backend.path(), options);
  for (int i = 0; i < 4; ++i) store.set("g", "k" + std::to_string(i), std::to_string(i));

  store.purge_expired();

  CHECK(store.revision() == 4);
  kvtest::check_logged(store, 1, 4);
  store.set("g", "after", "x");
  CHECK(store.revision() == 5);
}

TEST_CASE("changes_since a revision after the latest throws InvalidArgument", "[feed][limits]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), kvtest::no_purge());
  CHECK(store.changes_since(0).empty());
  CHECK_THROWS_AS(store.changes_since(1), kvstore::InvalidArgument);

  for (int i = 0; i < 3; ++i) store.set("g", "k" + std::to_string(i), "v");
  CHECK(store.changes_since(3).empty());
  const auto next = message_of([&] { (void)store.changes_since(4); });
  CHECK(contains(next, "changes_since"));
  CHECK(contains(next, "revision 4 is after the latest revision 3"));
  CHECK(contains(message_of([&] { (void)store.changes_since(kMaxRevision); }),
                 "revision 18446744073709551615 is after the latest revision 3"));
}

TEST_CASE("changes_since past the latest revision is refused also after the log was trimmed",
          "[feed][limits]") {
  const auto backend = kvtest::each_backend();
  auto options = kvtest::no_purge();
  options.change_log_retention = 2;
  kvstore::Store store(backend.path(), options);
  for (int i = 0; i < 10; ++i) store.set("g", "k", std::to_string(i));
  store.purge_expired();

  CHECK_THROWS_AS(store.changes_since(kMaxRevision), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.changes_since(11), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.changes_since(7), kvstore::Compacted);
  CHECK(store.changes_since(8).size() == 2);
  CHECK(store.changes_since(10).empty());
}

TEST_CASE("watch from a revision after the latest throws InvalidArgument", "[feed][limits]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), kvtest::no_purge());
  store.set("g", "a", "1");
  store.set("g", "b", "2");

  const auto refused = message_of([&] { (void)store.watch("g", "*", 3); });
  CHECK(contains(refused, "watch"));
  CHECK(contains(refused, "revision 3 is after the latest revision 2"));
  CHECK_THROWS_AS(store.watch("*", "*", kMaxRevision), kvstore::InvalidArgument);

  // From the latest revision itself: nothing to replay, and the next change arrives.
  auto watcher = store.watch("g", "*", 2);
  store.set("g", "c", "3");
  CHECK(kvtest::next_event(watcher).revision == 3);
}

TEST_CASE("ScopedStore::watch from a revision after the latest throws InvalidArgument",
          "[feed][limits][scoped]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path(), kvtest::no_purge());
  kvstore::ScopedStore tenant(store, "acme");
  tenant.set("g", "a", "1");
  CHECK_THROWS_AS(tenant.watch("*", "*", kMaxRevision), kvstore::InvalidArgument);
  CHECK_THROWS_AS(tenant.watch("g", "a", 2), kvstore::InvalidArgument);
  auto watcher = tenant.watch("g", "*", 1);
  tenant.set("g", "b", "2");
  const auto event = kvtest::next_event(watcher);
  CHECK(event.revision == 2);
  CHECK(event.key == "b");
}
