// Store: the everyday operations — get/set/erase, groups, counts, for_each, render, the value
// views (get_split, get_fields, JSON), persistence, WAL mode and the revision counter.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using kvtest::TempDir;

namespace {

using kvtest::RawDb;

std::vector<std::pair<std::string, std::string>> walk(kvstore::Store& store,
                                                      std::string_view group) {
  std::vector<std::pair<std::string, std::string>> seen;
  store.for_each(group, [&](std::string_view key, std::string_view value) {
    seen.emplace_back(std::string(key), std::string(value));
    return true;
  });
  return seen;
}

// Checks that render refuses every one of `templates` with an InvalidArgument giving `reason`.
void check_render_refuses(kvstore::Store& store, const std::string& group,
                          const std::string& reason, const std::vector<std::string>& templates) {
  for (const auto& tmpl : templates) {
    // The deep templates run to tens of thousands of characters; their start identifies them.
    INFO("template: " << tmpl.substr(0, 60));
    CHECK_THAT(kvtest::message_of([&] { (void)store.render(group, kvstore::Template{tmpl}); }),
               Catch::Matchers::Contains(reason));
  }
}

}  // namespace

TEST_CASE("Store basic: set then get returns the value and overwrite replaces it", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("config", "theme", "dark");
  CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
  store.set("config", "theme", "light");
  CHECK(store.get("config", "theme") == std::optional<std::string>("light"));
  CHECK(store.count("config") == 1);
}

TEST_CASE("Store basic: get on a missing group and on a missing key both return nullopt",
          "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("config", "theme", "dark");
  SECTION("missing group") { CHECK_FALSE(store.get("nosuchgroup", "theme").has_value()); }
  SECTION("missing key in an existing group") {
    CHECK_FALSE(store.get("config", "nosuchkey").has_value());
  }
  SECTION("the same key in another group is a different entry") {
    store.set("other", "theme", "blue");
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    CHECK(store.get("other", "theme") == std::optional<std::string>("blue"));
  }
}

TEST_CASE("Store basic: an empty value is present, not absent", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::check_empty_value_kept(store, "g", "k");
}

TEST_CASE("Store basic: erase returns whether the key existed", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "a", "1"}, {"g", "b", "2"}});
  CHECK(store.erase("g", "a"));
  CHECK_FALSE(store.get("g", "a").has_value());
  CHECK(store.get("g", "b") == std::optional<std::string>("2"));
  CHECK_FALSE(store.erase("g", "a"));
  CHECK_FALSE(store.erase("nosuchgroup", "b"));
  CHECK(store.count("g") == 1);
}

TEST_CASE("Store basic: delete_group then get_all is empty", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(
      store,
      {{"doomed", "a", "1"}, {"doomed", "b", "2"}, {"doomed", "c", "3"}, {"kept", "a", "x"}});
  CHECK(store.delete_group("doomed") == 3);
  CHECK(store.get_all("doomed").empty());
  CHECK(store.count("doomed") == 0);
  CHECK_FALSE(store.get("doomed", "a").has_value());
  CHECK(store.get_all("kept") == std::map<std::string, std::string>{{"a", "x"}});
  CHECK(store.delete_group("doomed") == 0);
  CHECK(store.delete_group("never-existed") == 0);
}

TEST_CASE("Store basic: count after 500 inserts", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (int i = 0; i < 500; ++i) store.set("bulk", "key-" + std::to_string(i), std::to_string(i));
  CHECK(store.count("bulk") == 500);
  CHECK(store.count_all() == 500);
  CHECK(store.get_all("bulk").size() == 500);
  // Overwriting does not add keys.
  for (int i = 0; i < 500; i += 2) store.set("bulk", "key-" + std::to_string(i), "again");
  CHECK(store.count("bulk") == 500);
  CHECK(store.count("other") == 0);
}

TEST_CASE("Store basic: get_all returns every key of the group ordered by key bytes", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "b", "2"}, {"g", "a", "1"}, {"g", "c", "3"}, {"h", "a", "other"}});
  const auto all = store.get_all("g");
  CHECK(all == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  CHECK(store.get_all("nosuchgroup").empty());
}

TEST_CASE("Store basic: groups and count_all list the groups with live keys", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"users:b", "k", "v"},
                          {"users:a", "k1", "v"},
                          {"users:a", "k2", "v"},
                          {"config", "k", "v"}});
  CHECK(store.groups() == std::vector<std::string>{"config", "users:a", "users:b"});
  CHECK(store.groups("users:") == std::vector<std::string>{"users:a", "users:b"});
  CHECK(store.groups("nomatch").empty());
  CHECK(store.count_all() == 4);
  CHECK(store.count_all("users:") == 3);
  CHECK(store.count_all("users:a") == 2);
  CHECK(store.count_all("c") == 1);
  CHECK(store.count_all("x") == 0);
  store.erase("config", "k");
  CHECK(store.groups() == std::vector<std::string>{"users:a", "users:b"});
}

TEST_CASE("Store basic: delete_prefix removes the matching groups and returns the key count",
          "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"tenant1:a", "k1", "v"},
                          {"tenant1:a", "k2", "v"},
                          {"tenant1:b", "k", "v"},
                          {"tenant10", "k", "v"},
                          {"tenant2:a", "k", "v"}});
  CHECK(store.delete_prefix("tenant1:") == 3);
  CHECK(store.groups() == std::vector<std::string>{"tenant10", "tenant2:a"});
  CHECK(store.delete_prefix("nomatch") == 0);
  CHECK(store.count_all() == 2);
  SECTION("an empty prefix removes everything") {
    CHECK(store.delete_prefix("") == 2);
    CHECK(store.count_all() == 0);
    CHECK(store.groups().empty());
  }
}

TEST_CASE("Store basic: for_each visits every key in order", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(store, {{"g", "c", "3"}, {"g", "a", "1"}, {"g", "b", "2"}, {"other", "z", "x"}});
  using Seen = std::vector<std::pair<std::string, std::string>>;
  CHECK(walk(store, "g") == Seen{{"a", "1"}, {"b", "2"}, {"c", "3"}});
  CHECK(walk(store, "nosuchgroup").empty());
}

TEST_CASE("Store basic: for_each over more keys than one batch visits each once, in order",
          "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "k%04d", i);
    expected.emplace_back(key);
    store.set("big", key, std::to_string(i));
  }
  std::vector<std::string> seen;
  store.for_each("big", [&](std::string_view key, std::string_view value) {
    seen.emplace_back(key);
    CHECK(value == std::to_string(seen.size() - 1));
    return true;
  });
  CHECK(seen == expected);
}

TEST_CASE("Store basic: for_each stops when fn returns false", "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (int i = 0; i < 10; ++i) store.set("g", "k" + std::to_string(i), "v");
  std::vector<std::string> seen;
  store.for_each("g", [&](std::string_view key, std::string_view) {
    seen.emplace_back(key);
    return seen.size() < 3;
  });
  CHECK(seen == std::vector<std::string>{"k0", "k1", "k2"});

  SECTION("also in a group larger than one batch") {
    for (int i = 0; i < 700; ++i) store.set("big", "k" + std::to_string(1000 + i), "v");
    int calls = 0;
    store.for_each("big", [&](std::string_view, std::string_view) { return ++calls < 300; });
    CHECK(calls == 300);
  }
}

TEST_CASE("Store basic: fn of for_each may call the store, including writes, without deadlock",
          "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (int i = 0; i < 600; ++i) store.set("walk", "k" + std::to_string(1000 + i), "v");
  int visited = 0;
  store.for_each("walk", [&](std::string_view key, std::string_view value) {
    ++visited;
    // Reads of the store, a write to another group, and erasing the key being visited.
    CHECK(store.get("walk", key) == std::optional<std::string>(std::string(value)));
    store.set("copy", key, value);
    CHECK(store.erase("walk", key));
    CHECK(store.count("copy") == static_cast<std::size_t>(visited));
    return true;
  });
  CHECK(visited == 600);
  CHECK(store.count("walk") == 0);
  CHECK(store.count("copy") == 600);
}

TEST_CASE(
    "Store basic: for_each visits every key that existed before the walk, once and in order, "
    "while fn writes",
    "[store]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  // More keys than one batch, so writes land both inside and beyond the batch being walked.
  for (int i = 0; i < 1000; ++i) store.set("g", "k" + std::to_string(1000 + i), "v");
  std::vector<std::string> seen;
  store.for_each("g", [&](std::string_view key, std::string_view) {
    seen.emplace_back(key);
    if (seen.size() == 1) {
      store.set("g", "k1000a", "inside the first batch");
      store.set("g", "k1999z", "in a later batch");
    }
    return true;
  });
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  for (int i = 0; i < 1000; ++i) {
    CHECK(std::count(seen.begin(), seen.end(), "k" + std::to_string(1000 + i)) == 1);
  }
  // A key written beyond the batches already read is visited.
  CHECK(std::count(seen.begin(), seen.end(), "k1999z") == 1);
}

TEST_CASE("Store basic: render substitutes the group's keys", "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(
      store, {{"page", "title", "Hello"}, {"page", "name", "World"}, {"other", "title", "Wrong"}});
  CHECK(store.render("page", kvstore::Template{"{{title}}, {{name}}!"}) == "Hello, World!");
  CHECK(store.render("page", kvstore::Template{"no variables"}) == "no variables");
  CHECK(store.render("page", kvstore::Template{""}).empty());
}

TEST_CASE("Store basic: render of a missing variable renders empty", "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("page", "title", "Hello");
  CHECK(store.render("page", kvstore::Template{"[{{title}}][{{missing}}]"}) == "[Hello][]");
  CHECK(store.render("nosuchgroup", kvstore::Template{"[{{anything}}]"}) == "[]");
}

TEST_CASE("Store basic: render does not HTML-escape values", "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const std::string raw = "<b>Tom & \"Jerry\"</b> it's <script>x</script>";
  store.set("page", "html", raw);
  CHECK(store.render("page", kvstore::Template{"{{html}}"}) == raw);
  CHECK(store.render("page", kvstore::Template{"{{{html}}}"}) == raw);
}

TEST_CASE("Store basic: render refuses partials: a stored value is never run as a template",
          "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("page", "self", "{{> self}}");  // rendered as a partial, it would recurse forever
  store.set("page", "title", "Hello {{title}}");
  CHECK(store.render("page", kvstore::Template{"{{title}}"}) == "Hello {{title}}");
  check_render_refuses(store, "page", "partials are not supported",
                       {"{{> self}}", "a {{>title}} b", "{{=<% %>=}}<%> self%>",
                        "{{#title}}{{> missing}}{{/title}}"});
}

TEST_CASE("Store basic: render refuses sections nested deeper than 256 instead of overflowing",
          "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "a", "x");
  const auto nested = [](int levels, const std::string& open, const std::string& close) {
    std::string text;
    for (int i = 0; i < levels; ++i) text += open;
    text += "y";
    for (int i = 0; i < levels; ++i) text += close;
    return text;
  };
  CHECK(store.render("g", kvstore::Template{nested(256, "{{#a}}", "{{/a}}")}) == "y");
  CHECK(store.render("g", kvstore::Template{nested(300, "{{{#a}}}", "")}) ==
        "y");  // unescaped variables
  check_render_refuses(store, "g", "sections nested deeper than 256",
                       {nested(257, "{{#a}}", "{{/a}}"), nested(30000, "{{^b}}", "{{/b}}"),
                        "{{=<% %>=}}" + nested(30000, "<%# a %>", "<%/ a %>")});
}

TEST_CASE("Store basic: render with invalid syntax throws InvalidArgument naming the position",
          "[store][render]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("page", "title", "Hello");
  const std::string before = store.render("page", kvstore::Template{"{{title}}"});
  const auto rev = store.revision();
  for (const std::string bad : {"abc {{title", "x{{#section}}never closed", "{{/unopened}}"}) {
    INFO("template: " << bad);
    const auto what =
        kvtest::message_of([&] { (void)store.render("page", kvstore::Template{bad}); });
    INFO("what(): " << what);
    CHECK(what.rfind("kvstore: ", 0) == 0);
    CHECK(what.find("render") != std::string::npos);
    // The position is given as a number ("... at 4").
    CHECK(what.find_first_of("0123456789") != std::string::npos);
    CHECK(what.find(" at ") != std::string::npos);
  }
  // The position differs for a different error location.
  const auto first =
      kvtest::message_of([&] { (void)store.render("page", kvstore::Template{"{{a"}); });
  const auto second =
      kvtest::message_of([&] { (void)store.render("page", kvstore::Template{"0123456789{{a"}); });
  CHECK(first.find(" at 0") != std::string::npos);
  CHECK(second.find(" at 10") != std::string::npos);
  CHECK(store.render("page", kvstore::Template{"{{title}}"}) == before);
  CHECK(store.revision() == rev);
}

TEST_CASE("Store basic: get_split splits on the separator", "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::set_all(
      store, {{"g", "csv", "a,b,,c"}, {"g", "multi", "one::two::three"}, {"g", "none", "whole"}});
  CHECK(store.get_split("g", "csv", ",") == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(store.get_split("g", "multi", "::") == std::vector<std::string>{"one", "two", "three"});
  CHECK(store.get_split("g", "none", ",") == std::vector<std::string>{"whole"});
}

TEST_CASE("Store basic: get_split of a missing key is an empty vector", "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  CHECK(store.get_split("g", "missing", ",").empty());
  store.set("g", "k", "a,b");
  CHECK(store.get_split("g", "missing", ",").empty());
  CHECK(store.get_split("nosuchgroup", "k", ",").empty());
}

TEST_CASE("Store basic: get_split with an empty separator throws InvalidArgument",
          "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "k", "a,b");
  CHECK_THROWS_AS(store.get_split("g", "k", ""), kvstore::InvalidArgument);
  CHECK_THROWS_AS(store.get_split("g", "missing", ""), kvstore::InvalidArgument);
  CHECK(store.get("g", "k") == std::optional<std::string>("a,b"));
}

TEST_CASE("Store basic: get_fields splits on runs of whitespace", "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "k", "  alpha \t beta\n\ngamma\r\v\f delta  ");
  CHECK(store.get_fields("g", "k") == std::vector<std::string>{"alpha", "beta", "gamma", "delta"});
  store.set("g", "blank", " \t\n ");
  CHECK(store.get_fields("g", "blank").empty());
  store.set("g", "empty", "");
  CHECK(store.get_fields("g", "empty").empty());
  CHECK(store.get_fields("g", "missing").empty());
  CHECK(store.get_fields("nosuchgroup", "k").empty());
}

TEST_CASE("Store basic: set_json and get_json round-trip JSON", "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const nlohmann::json doc = {{"name", "Alice"},
                              {"age", 30},
                              {"tags", {"a", "b"}},
                              {"nested", {{"ok", true}, {"none", nullptr}}},
                              {"text", "日本語 \"quoted\""}};
  store.set_json("users", "alice", doc);
  CHECK(store.get_json("users", "alice") == std::optional<nlohmann::json>(doc));
  // The stored value is the JSON text.
  CHECK(nlohmann::json::parse(*store.get("users", "alice")) == doc);
  store.set_json("scalars", "n", 42);
  CHECK(store.get_json("scalars", "n") == std::optional<nlohmann::json>(42));
  store.set("scalars", "raw", "[1, 2, 3]");
  CHECK(store.get_json("scalars", "raw") == std::optional<nlohmann::json>(nlohmann::json{1, 2, 3}));
  CHECK_FALSE(store.get_json("users", "missing").has_value());
}

TEST_CASE("Store basic: get_json of a non-JSON value throws InvalidArgument", "[store][views]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "k", "not { json");
  const auto rev = store.revision();
  const auto what = kvtest::message_of([&] { (void)store.get_json("g", "k"); });
  CHECK(what.rfind("kvstore: ", 0) == 0);
  CHECK(what.find("get_json") != std::string::npos);
  CHECK(what.find("g/k") != std::string::npos);
  CHECK(store.get("g", "k") == std::optional<std::string>("not { json"));
  CHECK(store.revision() == rev);
  store.set("g", "empty", "");
  CHECK_THROWS_AS(store.get_json("g", "empty"), kvstore::InvalidArgument);
}

TEST_CASE("Store basic: file-backed data persists across close and reopen", "[store][file]") {
  // File only: reopens the file.
  TempDir dir;
  const auto path = dir.file("persist.db");
  {
    kvstore::Store store(path);
    kvtest::set_all(store, {{"config", "theme", "dark"}, {"config", "lang", "en"}});
    store.set_with_ttl("session", "token", "abc", 1h);
    store.set("doomed", "k", "v");
    store.delete_group("doomed");
  }
  {
    kvstore::Store store(path);
    CHECK(store.get("config", "theme") == std::optional<std::string>("dark"));
    CHECK(store.get("config", "lang") == std::optional<std::string>("en"));
    CHECK(store.get("session", "token") == std::optional<std::string>("abc"));
    CHECK_FALSE(store.get("doomed", "k").has_value());
    CHECK(store.count_all() == 3);
    store.set("config", "theme", "light");
  }
  kvstore::Store store(path);
  CHECK(store.get("config", "theme") == std::optional<std::string>("light"));
}

TEST_CASE("Store basic: a file-backed store is in WAL mode", "[store][file]") {
  // File only: WAL is a property of a database file.
  TempDir dir;
  const auto path = dir.file("wal.db");
  {
    kvstore::Store store(path);
    store.set("g", "k", "v");
  }
  RawDb raw(path, SQLITE_OPEN_READONLY);
  CHECK(raw.text("PRAGMA journal_mode") == "wal");
}

TEST_CASE("Store basic: two Store objects on one file see each other's writes", "[store][file]") {
  // File only: two connections share only a file.
  kvtest::TwoStoresOnOneFile file;
  auto& a = file.first;
  auto& b = file.second;
  a.set("g", "k", "from-a");
  CHECK(b.get("g", "k") == std::optional<std::string>("from-a"));
  b.set("g", "k", "from-b");
  CHECK(a.get("g", "k") == std::optional<std::string>("from-b"));
  CHECK(a.revision() == b.revision());
}

TEST_CASE("Store basic: Durability::full stores and reads like normal", "[store][file]") {
  // File only: durability (synchronous) applies to a file, checked after a reopen.
  TempDir dir;
  const auto path = dir.file("full.db");
  {
    kvstore::Options options;
    options.durability = kvstore::Durability::full;
    kvstore::Store store(path, options);
    store.set("g", "k", "v");
    CHECK(store.get("g", "k") == std::optional<std::string>("v"));
  }
  kvstore::Store store(path);
  CHECK(store.get("g", "k") == std::optional<std::string>("v"));
}

TEST_CASE("Store basic: the revision starts at 0 and every mutation bumps it",
          "[store][revision]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  CHECK(store.revision() == 0);

  store.set("g", "a", "1");
  const auto after_set = store.revision();
  CHECK(after_set > 0);

  store.set("g", "a", "1");  // the same value again is still a write
  const auto after_reset = store.revision();
  CHECK(after_reset > after_set);

  store.set_with_ttl("g", "b", "2", 1h);
  const auto after_ttl = store.revision();
  CHECK(after_ttl > after_reset);

  CHECK(store.erase("g", "b"));
  const auto after_erase = store.revision();
  CHECK(after_erase > after_ttl);

  CHECK_FALSE(store.erase("g", "b"));  // absent: nothing changed
  CHECK(store.revision() == after_erase);
  CHECK_FALSE(store.erase("nosuchgroup", "x"));
  CHECK(store.revision() == after_erase);

  store.set("h", "x", "1");
  store.set("h", "y", "2");
  const auto before_group = store.revision();
  CHECK(store.delete_group("h") == 2);
  const auto after_group = store.revision();
  CHECK(after_group > before_group);

  store.set("p:1", "x", "1");
  const auto before_prefix = store.revision();
  CHECK(store.delete_prefix("p:") == 1);
  const auto after_prefix = store.revision();
  CHECK(after_prefix > before_prefix);

  store.set_json("j", "x", nlohmann::json{{"a", 1}});
  const auto after_json = store.revision();
  CHECK(after_json > after_prefix);

  store.transaction([](kvstore::Transaction& t) { t.set("t", "x", "1"); });
  CHECK(store.revision() > after_json);

  // Reads do not change it.
  const auto settled = store.revision();
  (void)store.get("g", "a");
  (void)store.get_all("g");
  (void)store.count("g");
  (void)store.count_all();
  (void)store.groups();
  (void)store.render("g", kvstore::Template{"{{a}}"});
  CHECK(store.revision() == settled);
}

TEST_CASE("Store basic: the revision is monotonic across close and reopen", "[store][revision]") {
  // File only: reopens the file.
  TempDir dir;
  const auto path = dir.file("revision.db");
  std::uint64_t last = 0;
  {
    kvstore::Store store(path);
    CHECK(store.revision() == 0);
    store.set("g", "a", "1");
    store.set("g", "b", "2");
    store.erase("g", "a");
    last = store.revision();
    CHECK(last > 0);
  }
  for (int round = 0; round < 3; ++round) {
    kvstore::Store store(path);
    CHECK(store.revision() == last);
    store.set("g", "r" + std::to_string(round), "x");
    CHECK(store.revision() > last);
    last = store.revision();
  }
  {
    // Removing every key does not take the revision back.
    kvstore::Store store(path);
    CHECK(store.delete_prefix("") > 0);
    CHECK(store.revision() > last);
    last = store.revision();
  }
  kvstore::Store store(path);
  CHECK(store.revision() == last);
  store.set("g", "again", "x");
  CHECK(store.revision() > last);
}

TEST_CASE("Store basic: reopening a file many times keeps every earlier write", "[store][file]") {
  // File only: reopens the file.
  TempDir dir;
  const auto path = dir.file("many.db");
  for (int i = 0; i < 10; ++i) {
    kvstore::Store store(path);
    store.set("g", "k" + std::to_string(i), std::to_string(i));
    CHECK(store.count("g") == static_cast<std::size_t>(i + 1));
  }
}

TEST_CASE("Store basic: check() reports quota counts left wrong by a writer that went around them",
          "[store][scoped]") {
  // File only: the writer going around the counts is another connection to the file.
  TempDir dir;
  const auto path = (dir.path() / "store.db").string();
  {
    kvstore::Store store(path);
    kvstore::ScopedStore tenant(store, "acme");
    tenant.set("g", "k1", "v");
    tenant.set("g", "k2", "v");
    store.set("plain", "k", "v");
    CHECK(store.check().empty());
  }
  RawDb(path).text("INSERT INTO kv(grp, key, value) VALUES ('acme:g', 'k3', 'x')");
  kvstore::Store store(path);
  const auto problems = store.check();
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == "quota counts: group 'acme:g' holds 3 keys, counted 2");
  CHECK(problems[1] ==
        "quota counts: namespace 'acme' holds 3 keys, counted 2 (groups: holds 1, counted 1)");
}
