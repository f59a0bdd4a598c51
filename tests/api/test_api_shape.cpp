// The shape of the public API, checked at compile time where it can be: render takes the group
// first and a call in the old (template, group) order does not compile; the version header
// agrees with the library; reads are const; a Store is movable, and a moved-from one throws; it
// opens a std::filesystem::path; every configuration struct is checked the same way.
#include <catch2/catch.hpp>
#include <filesystem>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "event_support.hpp"
#include "support.hpp"

namespace {

// Whether s.render(first, second) compiles with two plain strings.
template <typename S>
concept renders_two_strings = requires(S& s, std::string_view first, std::string_view second) {
  s.render(first, second);
};
template <typename S>
concept renders_group_then_template = requires(S& s, std::string_view group) {
  { s.render(group, kvstore::Template{"{{name}}"}) } -> std::same_as<std::string>;
};

static_assert(!renders_two_strings<kvstore::Store>, "render(template, group) must not compile");
static_assert(!renders_two_strings<kvstore::ScopedStore>);
static_assert(renders_group_then_template<kvstore::Store>);
static_assert(renders_group_then_template<kvstore::ScopedStore>);
// A string never becomes a Template by itself: render("user", "Hello") does not compile either.
static_assert(!std::is_convertible_v<const char*, kvstore::Template>);
static_assert(!std::is_convertible_v<std::string_view, kvstore::Template>);

static_assert(std::is_nothrow_move_constructible_v<kvstore::Store>);
static_assert(std::is_nothrow_move_assignable_v<kvstore::Store>);
static_assert(!std::is_copy_constructible_v<kvstore::Store>);
static_assert(std::is_constructible_v<kvstore::Store, std::filesystem::path>);
static_assert(std::is_constructible_v<kvstore::Store, const char*>);

// The layer's types are named for it, apart from the Store's StoreStats.
static_assert(std::is_same_v<decltype(std::declval<const kvstore::LastModifiedStore&>().stats()),
                             kvstore::LastModifiedStats>);
static_assert(
    std::is_same_v<decltype(std::declval<const kvstore::LastModifiedStore&>().get("g", "k")),
                   std::optional<kvstore::LastModifiedItem>>);

// Every read, through a const reference.
template <class S>
std::size_t read_everything(const S& s) {
  std::size_t n = s.get("g", "k").value_or("").size() + s.get_all("g").size() + s.keys("g").size();
  n += s.count("g") + s.count_all() + s.groups().size() +
       s.render("g", kvstore::Template{""}).size();
  n += s.get_split("g", "k", ",").size() + s.get_fields("g", "k").size();
  n +=
      s.get_json("g", "j").has_value() + s.ttl("g", "k").has_value() + s.stat("g", "k").has_value();
  n += s.open_reader("g", "k").has_value();
  s.for_each("g", [&](std::string_view, std::string_view) { return ++n > 0; });
  return n;
}

}  // namespace

TEST_CASE("API shape: render is group first, the template named by its type", "[api][render]") {
  kvstore::Store store(":memory:");
  store.set("user", "name", "Ada");
  CHECK(store.render("user", kvstore::Template{"Hello {{name}}"}) == "Hello Ada");
  kvstore::ScopedStore tenant(store, "acme");
  tenant.set("user", "name", "Grace");
  CHECK(tenant.render("user", kvstore::Template{"Hello {{name}}"}) == "Hello Grace");
}

TEST_CASE("API shape: the version macros match the library's runtime version", "[api][version]") {
  const std::string expected = std::to_string(KVSTORE_VERSION_MAJOR) + "." +
                               std::to_string(KVSTORE_VERSION_MINOR) + "." +
                               std::to_string(KVSTORE_VERSION_PATCH);
  CHECK(std::string(KVSTORE_VERSION_STRING) == expected);
  CHECK(kvstore::version() == KVSTORE_VERSION_STRING);
}

TEST_CASE("API shape: every read works through a const reference", "[api][const]") {
  kvstore::Store store(":memory:");
  store.set("g", "k", "a,b");
  kvstore::ScopedStore tenant(store, "acme");
  tenant.set("g", "k", "c");
  const kvstore::Store& reader = store;
  CHECK(read_everything(reader) > 0);
  CHECK(reader.revision() == 2);
  CHECK(reader.stats().keys == 2);
  CHECK(reader.check().empty());
  CHECK(reader.changes_since(0).size() == 2);
  const kvstore::ScopedStore& scoped_reader = tenant;
  CHECK(read_everything(scoped_reader) > 0);
  store.transaction([](kvstore::Transaction& tx) {
    const kvstore::Transaction& view = tx;
    CHECK(view.get("g", "k") == "a,b");
    CHECK(view.keys("g").size() == 1);
    CHECK(view.count("g") == 1);
  });
  kvstore::LastModifiedStore layer(store);
  layer.start();
  const kvstore::LastModifiedStore& layer_reader = layer;
  CHECK(layer_reader.get("g", "k")->value == "a,b");
  CHECK(layer_reader.size() == 1);
  CHECK(layer_reader.list().size() == 1);
  CHECK(layer_reader.last_modified("g", "k").has_value());
}

TEST_CASE("API shape: a moved Store keeps its database; the moved-from one throws Error",
          "[api][move]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store first(backend.path());
  first.set("g", "k", "v");
  auto watcher = first.watch("g");
  kvstore::Store second(std::move(first));
  CHECK(second.get("g", "k") == "v");
  second.set("g", "k2", "v2");  // the watcher made before the move still receives events
  const auto event = watcher.next(kvtest::kWait);
  REQUIRE(event.has_value());
  CHECK(event->key == "k2");

  // Every call on the moved-from Store throws a clear Error; so does a view over it.
  const auto moved_from = [&] {
    return kvtest::message_of<kvstore::Error>([&] { (void)first.get("g", "k"); });
  };
  CHECK_THAT(moved_from(), Catch::Contains("moved from"));
  CHECK_THROWS_AS(first.set("g", "k", "v"), kvstore::Error);
  CHECK_THROWS_AS(first.keys("g"), kvstore::Error);
  CHECK_THROWS_AS(first.revision(), kvstore::Error);
  CHECK_THROWS_AS(first.watch("g"), kvstore::Error);
  CHECK_THROWS_AS(first.begin_set("g", "b"), kvstore::Error);
  CHECK_THROWS_AS(first.transaction([](kvstore::Transaction&) {}), kvstore::Error);
  kvstore::ScopedStore tenant(first, "acme");
  CHECK_THROWS_AS(tenant.get("g", "k"), kvstore::Error);

  // Move assignment: the target closes its own database and takes the other's.
  kvstore::Store third(":memory:");
  third.set("other", "x", "y");
  third = std::move(second);
  CHECK(third.get("g", "k2") == "v2");
  CHECK_FALSE(third.get("other", "x").has_value());
  CHECK_THROWS_AS(second.count("g"), kvstore::Error);
  first = std::move(third);  // a moved-from Store may be assigned to again
  CHECK(first.count("g") == 2);
}

TEST_CASE("API shape: a Store opens a std::filesystem::path", "[api][path]") {
  kvtest::TempDir dir;
  const std::filesystem::path path = std::filesystem::path(dir.file("sub")) / "store.db";
  {
    kvstore::Store store(path);
    store.set("g", "k", "v");
  }
  CHECK(std::filesystem::exists(path));
  kvstore::Store again(path.string());
  CHECK(again.get("g", "k") == "v");
}

TEST_CASE("API shape: every configuration struct refuses a negative field, naming it",
          "[api][config]") {
  kvstore::Store store(":memory:");
  const auto refused = [&](kvstore::QuotaConfig quota) {
    return kvtest::message_of([&] { kvstore::ScopedStore(store, "acme", quota); });
  };
  CHECK_THROWS_AS(kvstore::ScopedStore(store, "acme", {.max_keys = -1}), kvstore::InvalidConfig);
  CHECK_THAT(refused({.max_keys = -1}), Catch::Contains("QuotaConfig::max_keys") &&
                                            Catch::Contains("must not be negative (got -1)"));
  CHECK_THAT(refused({.max_groups = -2}), Catch::Contains("QuotaConfig::max_groups"));
  CHECK_THAT(kvtest::message_of([&] { kvstore::LastModifiedStore(store, {.max_size = -1}); }),
             Catch::Contains("LastModifiedConfig::max_size"));
  kvstore::Options options;
  options.busy_timeout = std::chrono::milliseconds(-1);
  CHECK_THAT(kvtest::message_of([&] { kvstore::Store(":memory:", options); }),
             Catch::Contains("Options::busy_timeout"));
  // Zero stays "unlimited", and a large quota is fine.
  CHECK_NOTHROW(kvstore::ScopedStore(store, "acme", {.max_keys = 0, .max_groups = 1'000'000}));
}
