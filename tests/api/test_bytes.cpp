// Store: groups, keys and values are byte strings. NUL bytes, invalid UTF-8, CJK and Arabic text,
// very long keys and empty strings round-trip exactly; SQL-injection strings are stored literally;
// prefix queries treat `%`, `_` and `\0` literally and handle prefixes of 0xff bytes.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <kvstore/kvstore.hpp>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/store_support.hpp"
#include "backends.hpp"
#include "printable_bytes.hpp"
#include "raw_db.hpp"
#include "support.hpp"

using namespace std::string_literals;
using kvtest::TempDir;

namespace {

using kvtest::printable;
using kvtest::RawDb;

// Every awkward byte string the store must keep exactly.
std::vector<std::string> awkward_strings() {
  return {
      ""s,
      "\0"s,
      "a\0b"s,
      "\0\0\0"s,
      "trailing\0"s,
      "\xff"s,
      "\xff\xfe\xfd"s,
      "\xc3\x28"s,                      // invalid 2-byte UTF-8 sequence
      "\xe2\x82"s,                      // truncated 3-byte sequence
      "\xed\xa0\x80"s,                  // UTF-16 surrogate encoded in UTF-8 (invalid)
      "\xc0\xaf"s,                      // overlong encoding of '/'
      "\x80\x81\x82"s,                  // lone continuation bytes
      "日本語のテキスト"s,              // CJK
      "中文 한국어"s,                   // more CJK
      "مرحبا بالعالم"s,                 // Arabic (right-to-left)
      "emoji 🎉👩‍👩‍👧"s,  // astral plane and ZWJ sequences
      "\t\r\n \x01\x1f\x7f"s,           // control characters
      "'; DROP TABLE kv; --"s,
      "Robert'); DROP TABLE kv;--"s,
      "\" OR \"1\"=\"1"s,
      "' OR '1'='1"s,
      "1; DELETE FROM kv WHERE 1=1"s,
      "%"s,
      "_"s,
      "%_%"s,
      "\\"s,
      "\\%"s,
      "?1 ?2 :name @x $y"s,
      "*"s,
  };
}

}  // namespace

TEST_CASE("Store bytes: awkward values round-trip exactly", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const auto strings = awkward_strings();
  for (std::size_t i = 0; i < strings.size(); ++i)
    store.set("values", std::to_string(i), strings[i]);
  for (std::size_t i = 0; i < strings.size(); ++i) {
    INFO("value " << printable(strings[i]));
    const auto got = store.get("values", std::to_string(i));
    REQUIRE(got.has_value());
    CHECK(*got == strings[i]);
    CHECK(got->size() == strings[i].size());
  }
  CHECK(store.count("values") == strings.size());
}

TEST_CASE("Store bytes: awkward keys round-trip exactly and stay distinct", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const auto strings = awkward_strings();
  std::map<std::string, std::string> expected;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    store.set("keys", strings[i], std::to_string(i));
    expected[strings[i]] = std::to_string(i);
  }
  REQUIRE(expected.size() == strings.size());  // the strings themselves are distinct
  for (std::size_t i = 0; i < strings.size(); ++i) {
    INFO("key " << printable(strings[i]));
    CHECK(store.get("keys", strings[i]) == std::optional<std::string>(std::to_string(i)));
  }
  CHECK(store.count("keys") == strings.size());
  // get_all and for_each hand back the exact key bytes, ordered byte-wise.
  CHECK(store.get_all("keys") == expected);
  std::vector<std::string> walked;
  store.for_each("keys", [&](std::string_view key, std::string_view) {
    walked.emplace_back(key);
    return true;
  });
  std::vector<std::string> expected_order;
  for (const auto& entry : expected) expected_order.push_back(entry.first);
  CHECK(walked == expected_order);
  // "a\0b" is not "a" nor "a\0b\0".
  CHECK_FALSE(store.get("keys", "a").has_value());
  CHECK_FALSE(store.get("keys", "a\0b\0"s).has_value());
  for (std::size_t i = 0; i < strings.size(); ++i) {
    INFO("key " << printable(strings[i]));
    CHECK(store.erase("keys", strings[i]));
  }
  CHECK(store.count("keys") == 0);
}

TEST_CASE("Store bytes: awkward groups round-trip exactly and stay distinct", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const auto strings = awkward_strings();
  for (std::size_t i = 0; i < strings.size(); ++i) store.set(strings[i], "k", std::to_string(i));
  for (std::size_t i = 0; i < strings.size(); ++i) {
    INFO("group " << printable(strings[i]));
    CHECK(store.get(strings[i], "k") == std::optional<std::string>(std::to_string(i)));
    CHECK(store.count(strings[i]) == 1);
    CHECK(store.get_all(strings[i]) ==
          std::map<std::string, std::string>{{"k", std::to_string(i)}});
  }
  auto sorted = strings;
  std::sort(sorted.begin(), sorted.end());  // std::string compares bytes as unsigned char
  CHECK(store.groups() == sorted);
  CHECK(store.count_all() == strings.size());
  for (std::size_t i = 0; i < strings.size(); ++i) {
    INFO("group " << printable(strings[i]));
    CHECK(store.delete_group(strings[i]) == 1);
  }
  CHECK(store.count_all() == 0);
}

TEST_CASE("Store bytes: empty group, key and value together round-trip", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  kvtest::check_empty_value_kept(store, "", "");
  CHECK(store.groups() == std::vector<std::string>{""});
  CHECK(store.get_all("") == std::map<std::string, std::string>{{"", ""}});
  store.set("", "k", "v");
  store.set("g", "", "empty key");
  CHECK(store.get("", "k") == std::optional<std::string>("v"));
  CHECK(store.get("g", "") == std::optional<std::string>("empty key"));
  CHECK_FALSE(store.get("g", "k").has_value());
  CHECK(store.count_all("") == 3);
  CHECK(store.erase("", ""));
  CHECK_FALSE(store.erase("", ""));
  CHECK(store.delete_group("") == 1);
  CHECK(store.groups() == std::vector<std::string>{"g"});
}

TEST_CASE("Store bytes: 10,000-character keys, groups and values round-trip", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  std::string long_key(10000, 'k');
  long_key[5000] = '\0';
  long_key.back() = 'Z';
  std::string other_key = long_key;
  other_key.back() = 'Y';  // differs only in the last byte
  std::string long_group(10000, 'g');
  std::string long_value;
  for (int i = 0; i < 100000; ++i) long_value += static_cast<char>(i % 256);

  store.set("g", long_key, "first");
  store.set("g", other_key, "second");
  store.set(long_group, long_key, long_value);
  CHECK(store.get("g", long_key) == std::optional<std::string>("first"));
  CHECK(store.get("g", other_key) == std::optional<std::string>("second"));
  CHECK(store.get(long_group, long_key) == std::optional<std::string>(long_value));
  CHECK(store.count("g") == 2);
  CHECK(store.groups(std::string(9999, 'g')) == std::vector<std::string>{long_group});
  const auto all = store.get_all("g");
  REQUIRE(all.size() == 2);
  CHECK(all.count(long_key) == 1);
  CHECK(all.count(other_key) == 1);
}

TEST_CASE("Store bytes: a 10,000-character CJK key round-trips", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  std::string key;
  while (key.size() < 30000) key += "漢";  // 10,000 three-byte characters
  store.set("cjk", key, "値");
  CHECK(store.get("cjk", key) == std::optional<std::string>("値"));
  CHECK(store.get_all("cjk").begin()->first == key);
}

TEST_CASE("Store bytes: SQL-injection strings are stored literally and harm nothing",
          "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("victim", "k", "v");
  const std::vector<std::string> attacks = {
      "'; DROP TABLE kv; --",
      "x' OR '1'='1",
      "x\"; DELETE FROM kv; --",
      "') ; UPDATE kv SET value = 'pwned'; --",
      "victim' --",
      "%' OR grp LIKE '%",
  };
  for (const auto& attack : attacks) {
    INFO("attack " << attack);
    store.set(attack, attack, attack);
    CHECK(store.get(attack, attack) == std::optional<std::string>(attack));
    CHECK(store.count(attack) == 1);
    CHECK(store.render(attack, kvstore::Template{"{{x}}"}).empty());
    CHECK(store.get("victim", "k") == std::optional<std::string>("v"));
  }
  CHECK(store.count_all() == attacks.size() + 1);
  CHECK_FALSE(store.erase("victim' --", "k"));
  CHECK(store.delete_group("victim' --") == 1);  // only the group literally named so
  CHECK(store.get("victim", "k") == std::optional<std::string>("v"));
  CHECK(store.count_all("%") == 1);      // only "%' OR grp LIKE '%"
  CHECK(store.delete_prefix("'") == 2);  // "'; DROP..." and "') ; UPDATE..."
  CHECK(store.get("victim", "k") == std::optional<std::string>("v"));
}

TEST_CASE("Store bytes: awkward strings survive a file round-trip unchanged",
          "[store][bytes][file]") {
  // File only: reopens the file and reads its rows through another connection.
  TempDir dir;
  const auto path = dir.file("bytes.db");
  const auto strings = awkward_strings();
  {
    kvstore::Store store(path);
    for (const auto& s : strings) store.set(s, s, s);
  }
  kvstore::Store store(path);
  for (const auto& s : strings) {
    INFO("string " << printable(s));
    CHECK(store.get(s, s) == std::optional<std::string>(s));
  }
  // The bytes are stored as they are, not re-encoded.
  RawDb raw(path);
  auto stored = raw.column("SELECT value FROM kv ORDER BY value");
  auto sorted = strings;
  std::sort(sorted.begin(), sorted.end());
  std::sort(stored.begin(), stored.end());
  CHECK(stored == sorted);
}

TEST_CASE("Store bytes: prefix queries treat % literally", "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (const auto* group : {"a%", "a%b", "a%%", "ab", "axb", "a", "b%", "%", "%a"}) {
    store.set(group, "k", "v");
  }
  CHECK(store.count_all("a%") == 3);
  CHECK(store.groups("a%") == std::vector<std::string>{"a%", "a%%", "a%b"});
  CHECK(store.count_all("%") == 2);
  CHECK(store.groups("%") == std::vector<std::string>{"%", "%a"});
  CHECK(store.delete_prefix("a%") == 3);
  CHECK(store.groups() == std::vector<std::string>{"%", "%a", "a", "ab", "axb", "b%"});
}

TEST_CASE("Store bytes: prefix queries treat _ literally", "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (const auto* group : {"user_1", "user_2", "userX1", "user__", "users", "user", "_x"}) {
    store.set(group, "k", "v");
  }
  CHECK(store.count_all("user_") == 3);
  CHECK(store.groups("user_") == std::vector<std::string>{"user_1", "user_2", "user__"});
  CHECK(store.count_all("_") == 1);
  CHECK(store.delete_prefix("user_") == 3);
  CHECK(store.groups() == std::vector<std::string>{"_x", "user", "userX1", "users"});
}

TEST_CASE("Store bytes: prefix queries treat NUL bytes literally", "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const std::vector<std::string> groups = {"a"s,     "a\0"s, "a\0b"s, "a\0\0"s, "ab"s,
                                           "a\x01"s, "\0"s,  "\0z"s,  "b"s};
  for (const auto& group : groups) store.set(group, "k", "v");
  CHECK(store.count_all("a\0"s) == 3);
  CHECK(store.groups("a\0"s) == std::vector<std::string>{"a\0"s, "a\0\0"s, "a\0b"s});
  CHECK(store.count_all("\0"s) == 2);
  CHECK(store.groups("\0"s) == std::vector<std::string>{"\0"s, "\0z"s});
  CHECK(store.count_all("a") == 6);
  CHECK(store.delete_prefix("a\0"s) == 3);
  CHECK(store.groups() == std::vector<std::string>{"\0"s, "\0z"s, "a"s, "a\x01"s, "ab"s, "b"s});
  CHECK(store.delete_prefix("\0"s) == 2);
  CHECK(store.groups() == std::vector<std::string>{"a"s, "a\x01"s, "ab"s, "b"s});
}

TEST_CASE("Store bytes: a prefix of 0xff bytes works", "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  const std::vector<std::string> groups = {
      "\xfe"s,         "\xfe\xff"s,  "\xff"s,  "\xff\x00"s,  "\xff\xff"s,
      "\xff\xff\xff"s, "\xff\xffz"s, "a\xff"s, "a\xff\xff"s, "b"s};
  for (const auto& group : groups) store.set(group, "k", "v");
  CHECK(store.count_all("\xff"s) == 5);
  CHECK(store.groups("\xff"s) ==
        std::vector<std::string>{"\xff"s, "\xff\x00"s, "\xff\xff"s, "\xff\xffz"s, "\xff\xff\xff"s});
  CHECK(store.count_all("\xff\xff"s) == 3);
  CHECK(store.count_all("\xff\xff\xff"s) == 1);
  CHECK(store.count_all("\xff\xff\xff\xff"s) == 0);
  CHECK(store.count_all("\xfe"s) == 2);
  CHECK(store.count_all("a\xff"s) == 2);
  CHECK(store.groups("a\xff"s) == std::vector<std::string>{"a\xff"s, "a\xff\xff"s});
  CHECK(store.delete_prefix("\xff\xff"s) == 3);
  CHECK(store.groups("\xff"s) == std::vector<std::string>{"\xff"s, "\xff\x00"s});
  CHECK(store.delete_prefix("\xff"s) == 2);
  CHECK(store.groups() ==
        std::vector<std::string>{"a\xff"s, "a\xff\xff"s, "b"s, "\xfe"s, "\xfe\xff"s});
}

TEST_CASE("Store bytes: prefix queries with long prefixes", "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  for (const std::size_t length : {16, 40, 100, 1000, 5000}) {
    INFO("prefix length " << length);
    kvstore::Store store(backend.separate_path("prefix-" + std::to_string(length) + ".db"));
    const std::string prefix(length, 'p');
    std::string sibling = prefix;
    sibling.back() = 'q';  // shares all but the last byte
    store.set(prefix, "k", "v");
    store.set(prefix + "-a", "k1", "v");
    store.set(prefix + "-a", "k2", "v");
    store.set(sibling, "k", "v");
    CHECK(store.count_all(prefix) == 3);
    CHECK(store.groups(prefix) == std::vector<std::string>{prefix, prefix + "-a"});
    CHECK(store.count_all(prefix + "-") == 2);
    CHECK(store.groups(sibling) == std::vector<std::string>{sibling});
    CHECK(store.delete_prefix(prefix) == 3);
    CHECK(store.groups() == std::vector<std::string>{sibling});
  }
}

TEST_CASE("Store bytes: prefix queries with invalid UTF-8 and multi-byte characters",
          "[store][bytes][prefix]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  for (const auto& group : {"日本"s, "日本語"s, "日"s, "本"s, "\xe6\x97"s, "\xe6\x97\xa5\xff"s}) {
    store.set(group, "k", "v");
  }
  // "日" is e6 97 a5: the byte prefix e6 97 matches every group starting with 日 and itself.
  CHECK(store.count_all("\xe6\x97"s) == 5);
  CHECK(store.count_all("日") == 4);
  CHECK(store.count_all("日本") == 2);
  CHECK(store.groups("日本") == std::vector<std::string>{"日本"s, "日本語"s});
  CHECK(store.delete_prefix("日本") == 2);
  CHECK(store.count_all("日") == 2);
}

TEST_CASE("Store bytes: the value views keep bytes exact", "[store][bytes]") {
  const auto backend = kvtest::each_backend();
  kvstore::Store store(backend.path());
  store.set("g", "nul", "a\0b\0\0c"s);
  CHECK(store.get_split("g", "nul", "\0"s) == std::vector<std::string>{"a", "b", "", "c"});
  store.set("g", "cjk", "東京,大阪,\xff");
  CHECK(store.get_split("g", "cjk", ",") == std::vector<std::string>{"東京", "大阪", "\xff"});
  store.set("g", "fields", "東京 \xff\t大阪");
  CHECK(store.get_fields("g", "fields") == std::vector<std::string>{"東京", "\xff", "大阪"});
  store.set("page", "t", "a\0b"s);
  CHECK(store.render("page", kvstore::Template{"[{{t}}]"}) == "[a\0b]"s);
}
