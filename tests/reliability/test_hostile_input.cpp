// Hostile input: SQL-injection strings, LIKE and GLOB wildcards, escapes, NUL bytes and ':' in
// every string argument of every public method of Store, Transaction, ScopedStore and
// ScopedTransaction (group, key, value, prefix, template, separator, watch patterns, blob tags,
// namespaces). Each is stored and matched literally; afterwards the schema is intact and the
// table holds exactly the intended rows (compared with a model through a raw SQLite connection
// after every step).
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstddef>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blob/store_on_file.hpp"
#include "printable_bytes.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

using kvtest::printable;
using kvtest::starts_with;

using kvtest::RawDb;

const std::vector<std::string>& hostile() {
  static const std::vector<std::string> strings = {
      "'; DROP TABLE kv; --",
      "\" OR 1=1 --",
      "' OR '1'='1",
      "x'); DELETE FROM kv; --",
      "%",
      "_",
      "%_%",
      "%%",
      "a%",
      "*",
      "?",
      "[a-z]",
      "\\",
      "\\%",
      "\0x"s,
      "a:b",
      ":",
      "--",
      "/*",
      "'",
      "\xff\xfe",
  };
  return strings;
}

bool utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

std::vector<int> bytes_of(const std::string& s) {
  std::vector<int> out;
  for (const unsigned char c : s) out.push_back(c);
  return out;
}

std::vector<std::string> fields_of(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      if (!cur.empty()) out.push_back(std::exchange(cur, {}));
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

using Rows = std::map<std::pair<std::string, std::string>, std::string>;

// Rows another tenant or a wildcard-matching query could wrongly touch.
const std::vector<std::string>& canary_groups() {
  static const std::vector<std::string> groups = {
      "canary", "x", "ax", "a:b:c", "a", "zz", "kv", "sqlite_master", "1"};
  return groups;
}

// Every row of kv (the tests use no TTL short enough to expire). A streamed value is shown as
// "<blob:SIZE>" with its recorded size (its bytes, in blob_chunks or in a file of its own, are
// checked through the API).
Rows live_kv(RawDb& raw) {
  Rows out;
  for (auto& row :
       raw.rows("SELECT grp, key, CASE WHEN blob_id IS NULL THEN value ELSE '<blob:' || "
                "(SELECT size FROM blobs WHERE id = kv.blob_id) || '>' END FROM kv")) {
    out[{row[0], row[1]}] = row[2];
  }
  return out;
}

// Drives every method of `api` (a Store or a ScopedStore) with hostile strings. `stored` maps a
// group name as the api sees it to the group stored in kv; `model` is what kv must hold.
template <typename Api>
void drive(Api& api, RawDb& raw, Rows& model, const std::function<std::string(std::string)>& stored,
           const std::string& scope_prefix) {
  const auto expect_table = [&](const std::string& step) {
    INFO("after " << step);
    const auto actual = live_kv(raw);
    if (actual != model) {
      for (const auto& [gk, v] : actual) {
        const auto it = model.find(gk);
        if (it == model.end() || it->second != v) {
          UNSCOPED_INFO("table has " << printable(gk.first) << "/" << printable(gk.second) << " = "
                                     << printable(v));
        }
      }
      for (const auto& [gk, v] : model) {
        const auto it = actual.find(gk);
        if (it == actual.end() || it->second != v) {
          UNSCOPED_INFO("model has " << printable(gk.first) << "/" << printable(gk.second) << " = "
                                     << printable(v));
        }
      }
    }
    REQUIRE(actual == model);
  };
  // The model's view through the api: groups under scope_prefix, with it stripped.
  const auto model_count_all = [&](const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& [gk, v] : model) {
      if (starts_with(gk.first, scope_prefix + prefix)) ++n;
    }
    return n;
  };
  const auto model_groups = [&](const std::string& prefix) {
    std::set<std::string> names;
    for (const auto& [gk, v] : model) {
      if (starts_with(gk.first, scope_prefix + prefix)) {
        names.insert(gk.first.substr(scope_prefix.size()));
      }
    }
    return std::vector<std::string>(names.begin(), names.end());
  };
  // The bytes of the streamed values (the table shows them as "<blob:SIZE>").
  std::map<std::pair<std::string, std::string>, std::string> blobs;
  const auto model_group = [&](const std::string& group) {
    std::map<std::string, std::string> out;
    for (const auto& [gk, v] : model) {
      if (gk.first != stored(group)) continue;
      const auto blob = blobs.find(gk);
      out[gk.second] = blob != blobs.end() && starts_with(v, "<blob:") ? blob->second : v;
    }
    return out;
  };

  for (const auto& c : canary_groups()) {
    api.set(c, "k", "canary");
    model[{stored(c), "k"}] = "canary";
  }
  expect_table("canaries");

  for (const auto& s : hostile()) {
    INFO("hostile string \"" << printable(s) << "\"");
    // Writes: s as group, key and value; TTL set; JSON; a transaction; a streamed value.
    api.set(s, s, s);
    api.set(s, "k", "v" + s);
    api.set("g", s, s);
    api.set_with_ttl(s, "ttl", s, 1h);
    // JSON text is UTF-8: a string that is not is stored as an array of its bytes instead.
    const nlohmann::json doc = utf8(s) ? nlohmann::json(s) : nlohmann::json(bytes_of(s));
    api.set_json(s, "json", doc);
    api.set("split", s, "a" + s + "b" + s + "c");
    model[{stored(s), s}] = s;
    model[{stored(s), "k"}] = "v" + s;
    model[{stored("g"), s}] = s;
    model[{stored(s), "ttl"}] = s;
    model[{stored(s), "json"}] = doc.dump();
    model[{stored("split"), s}] = "a" + s + "b" + s + "c";
    api.transaction([&](auto& tx) {
      tx.set(s, "tx", s);
      tx.set_with_ttl(s, "tx-ttl", s, 1h);
      CHECK(tx.get(s, "tx") == std::optional<std::string>(s));
      CHECK(tx.get(s, s) == std::optional<std::string>(s));
      CHECK(tx.count(s) == 6);
      CHECK(tx.get_all(s).size() == 6);
      CHECK(tx.erase(s, "tx-ttl"));
      CHECK_FALSE(tx.erase(s, "absent"));
      // Groups that start with s, made and removed inside the transaction.
      tx.set(s + "~", "a", s);
      tx.set(s + "~", "b", s);
      CHECK(tx.count(s + "~") == 2);
      CHECK(tx.delete_group(s + "~") == 2);
      tx.set(s + "~~", "a", s);
      CHECK(tx.delete_prefix(s + "~") == 1);
      CHECK(tx.count(s) == 5);
    });
    model[{stored(s), "tx"}] = s;
    {
      kvstore::Metadata meta;
      meta.tag = s;
      auto writer = api.begin_set(s, "blob", meta);
      writer.write(s);
      writer.write(s);
      writer.commit();
      model[{stored(s), "blob"}] = "<blob:" + std::to_string(2 * s.size()) + ">";
      blobs[{stored(s), "blob"}] = s + s;
    }
    expect_table("the writes");

    // Reads: matched literally.
    CHECK(api.get(s, s) == std::optional<std::string>(s));
    CHECK(api.get("g", s) == std::optional<std::string>(s));
    CHECK_FALSE(api.get(s, "absent").has_value());
    CHECK(api.get_json(s, "json") == std::optional<nlohmann::json>(doc));
    CHECK(api.count(s) == 6);
    CHECK(api.get_all(s) == model_group(s));
    CHECK(api.get_all("g") == model_group("g"));
    std::map<std::string, std::string> walked;
    api.for_each(s, [&](std::string_view k, std::string_view v) {
      walked.emplace(std::string(k), std::string(v));
      return true;
    });
    CHECK(walked == model_group(s));
    CHECK(api.count_all(s) == model_count_all(s));
    CHECK(api.groups(s) == model_groups(s));
    CHECK(api.get_split("split", s, s) == std::vector<std::string>{"a", "b", "c"});
    CHECK(api.get_split(s, s, s) == std::vector<std::string>{"", ""});
    CHECK(api.get_fields("g", s) == fields_of(s));
    // The template is text without tags: rendered as it is; a variable from the hostile group.
    CHECK(api.render(s, kvstore::Template{s}) == s);
    CHECK(api.render(s, kvstore::Template{"[{{k}}]"}) == "[v" + s + "]");
    CHECK(api.render("g", kvstore::Template{"[{{k}}]"}) == "[]");
    const auto meta = api.stat(s, "blob");
    REQUIRE(meta.has_value());
    CHECK(meta->tag == s);
    CHECK(meta->size == 2 * s.size());
    auto reader = api.open_reader(s, "blob");
    REQUIRE(reader.has_value());
    CHECK(reader->read_all() == s + s);
    CHECK_FALSE(api.stat(s, "absent").has_value());
    CHECK_FALSE(api.open_reader(s, "absent").has_value());

    // Watch patterns are literal, except "*", which is documented as "every group" / "every key".
    {
      auto watcher = api.watch(s, s);
      api.set("canary", "k", "canary");  // another group: must not match a literal pattern
      api.set(s, "k", "v" + s);          // the group, another key: must not match a literal key
      api.set(s, s, s);
      auto event = watcher.next(5s);
      REQUIRE(event.has_value());
      if (s != "*") {
        CHECK(event->group == s);
        CHECK(event->key == s);
        CHECK_FALSE(watcher.try_next().has_value());
      }
    }
    expect_table("the reads and watches");

    // Deletes remove exactly their rows.
    CHECK(api.erase("g", s));
    model.erase({stored("g"), s});
    CHECK_FALSE(api.erase("g", s));
    CHECK(api.erase(s, "k"));
    model.erase({stored(s), "k"});
    expect_table("erase");
    const auto in_group = model_group(s).size();
    CHECK(api.delete_group(s) == in_group);
    for (auto it = model.begin(); it != model.end();) {
      it = it->first.first == stored(s) ? model.erase(it) : std::next(it);
    }
    expect_table("delete_group");
    // delete_prefix: recreate, add a group that starts with s, and remove by the literal prefix.
    api.set(s, "again", s);
    api.set(s + "tail", "k", s);
    model[{stored(s), "again"}] = s;
    model[{stored(s + "tail"), "k"}] = s;
    const auto under_prefix = model_count_all(s);
    CHECK(api.delete_prefix(s) == under_prefix);
    for (auto it = model.begin(); it != model.end();) {
      it = starts_with(it->first.first, scope_prefix + s) ? model.erase(it) : std::next(it);
    }
    expect_table("delete_prefix");
    // purge_expired removes nothing that has not expired.
    CHECK(api.purge_expired() == 0);
    expect_table("purge_expired");
  }
}

// A store on a file, seen through a raw connection too, its schema noted before the hostile
// calls.
struct HostileTarget : kvtest::StoreOnFile {
  RawDb raw{path};
  const std::vector<std::vector<std::string>> schema_before = raw.schema();

  // The schema and the content of the store, after the hostile calls, as before them.
  void check_intact() {
    CHECK(raw.schema() == schema_before);
    CHECK(store.check() == std::vector<std::string>{});
    CHECK(raw.rows("PRAGMA integrity_check") == std::vector<std::vector<std::string>>{{"ok"}});
  }
};

}  // namespace

TEST_CASE_METHOD(HostileTarget,
                 "hostile input: every string argument of every Store method is taken literally",
                 "[hostile]") {
  REQUIRE_FALSE(schema_before.empty());
  Rows model;
  drive(
      store, raw, model, [](std::string g) { return g; }, "");
  check_intact();
  CHECK(live_kv(raw) == model);
  // Everything still works, by plain names.
  store.set("plain", "key", "value");
  CHECK(store.get("plain", "key") == std::optional<std::string>("value"));
  CHECK(store.get("canary", "k") == std::optional<std::string>("canary"));
}

TEST_CASE_METHOD(
    HostileTarget,
    "hostile input: every string argument of every ScopedStore method stays in its namespace",
    "[hostile][scoped]") {
  // Hostile namespaces are refused and write nothing.
  for (const auto& s : hostile()) {
    if (std::regex_match(s, std::regex("[A-Za-z0-9-]+"))) continue;  // "--" is a valid name
    INFO("namespace \"" << printable(s) << "\"");
    CHECK_THROWS_AS(kvstore::ScopedStore(store, s), kvstore::InvalidArgument);
  }
  CHECK(live_kv(raw).empty());

  // Another tenant and unscoped rows whose names a wildcard or a ':' could reach.
  Rows model;
  kvstore::ScopedStore other(store, "t1-x");
  for (const auto& g : {"canary", "%", "_", "*", "a:b"}) {
    other.set(g, "k", "other");
    model[{"t1-x:"s + g, "k"}] = "other";
    store.set("t1"s + g, "k", "raw");
    model[{"t1"s + g, "k"}] = "raw";
  }
  store.set("t1:", "k", "not in a group of t1? it is: group \"\"");
  model[{"t1:", "k"}] = "not in a group of t1? it is: group \"\"";

  kvstore::ScopedStore scoped(store, "t1");
  drive(
      scoped, raw, model, [](std::string g) { return "t1:" + g; }, "t1:");
  check_intact();
  CHECK(live_kv(raw) == model);
  CHECK(other.count_all() == 5);
  CHECK(other.get("%", "k") == std::optional<std::string>("other"));
}
