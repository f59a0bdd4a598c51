// The kvstore CLI's export and import: a round trip gives an identical store (binary values and
// names, TTLs), and a malformed document is rejected with its position, changing nothing.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <kvstore/kvstore.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>

#include "cli_runner.hpp"
#include "support.hpp"

using clitest::StoreFile;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Everything a store holds, read through the library: (group, key) -> (value, expires_at).
using Contents = std::map<std::pair<std::string, std::string>,
                          std::pair<std::string, std::optional<kvstore::Clock::time_point>>>;

Contents contents_of(const std::string& path) {
  kvstore::Options options;
  options.read_only = true;
  kvstore::Store store(path, options);
  Contents contents;
  for (const auto& group : store.groups()) {
    for (const auto& [key, value] : store.get_all(group)) {
      const auto meta = store.stat(group, key);
      contents[{group, key}] = {value, meta ? meta->expires_at : std::nullopt};
    }
  }
  return contents;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("export then import into a new file gives an identical store", "[cli]") {
  StoreFile source;
  {
    kvstore::Store store(source.path());
    store.set("config", "theme", "dark");
    store.set("config", "empty", "");
    store.set("bin", "bytes", std::string("\xff\xfe\x00\x01 binary", 11));
    store.set("bin", "nul", std::string("a\0b", 3));
    store.set(std::string("gr\xc3\x28up", 6), std::string("k\xff", 2), "odd names");
    store.set("unicode", "snowman", "\xe2\x98\x83");
    store.set_with_ttl("session", "token", "abc", 10min);
    store.set_with_ttl("session", "binary", std::string("\x80\x81", 2), 2h);
  }
  const auto original = contents_of(source.path());
  REQUIRE(original.size() == 8);

  const std::string exported = source.dir().file("export.json");
  const auto out = source.cli({"export", "-o", exported});
  REQUIRE(out.exit_code == 0);
  CHECK(out.out == "exported 8 entries to " + exported + "\n");

  StoreFile target;
  const auto in = target.cli({"--json", "import", exported});
  INFO(in.err);
  REQUIRE(in.exit_code == 0);
  CHECK(json::parse(in.out) == json{{"imported", 8}, {"skipped_expired", 0}});

  const auto copy = contents_of(target.path());
  REQUIRE(copy.size() == original.size());
  for (const auto& [name, held] : original) {
    INFO(name.first << "/" << name.second);
    REQUIRE(copy.count(name) == 1);
    const auto& [value, expires_at] = copy.at(name);
    CHECK(value == held.first);
    REQUIRE(expires_at.has_value() == held.second.has_value());
    if (expires_at) {
      // The remaining TTL is set at import: the same expiry, or a few ms later.
      CHECK(*expires_at >= *held.second);
      CHECK(*expires_at - *held.second < 60s);
    }
  }

  // Binary values are base64 in the document and marked.
  const auto document = json::parse(std::ifstream(exported));
  CHECK(document["format"] == "kvstore-export");
  CHECK(document["version"] == 1);
  bool found = false;
  for (const auto& entry : document["entries"]) {
    if (entry["group"] == "bin" && entry["key"] == "nul") {
      found = true;
      CHECK(entry["value"] == std::string("a\0b", 3));  // NUL is valid UTF-8: no base64
      CHECK_FALSE(entry.contains("encoding"));
    }
    if (entry["group"] == "bin" && entry["key"] == "bytes") CHECK(entry["encoding"] == "base64");
    if (entry["value"] == "odd names") {
      CHECK(entry["group_encoding"] == "base64");
      CHECK(entry["key_encoding"] == "base64");
    }
  }
  CHECK(found);

  // Through a pipe: export to stdout, import from stdin.
  StoreFile piped;
  clitest::RunOptions input;
  input.input = source.cli({"export"}).out;
  REQUIRE(piped.cli({"import", "-"}, input).exit_code == 0);
  CHECK(contents_of(piped.path()).size() == original.size());
}

TEST_CASE("export --group and --prefix choose the groups", "[cli]") {
  StoreFile store;
  for (const auto& group : {"app.a", "app.b", "other"}) {
    REQUIRE(store.cli({"set", group, "k", "v"}).exit_code == 0);
  }
  const auto group = json::parse(store.cli({"export", "--group", "app.b"}).out);
  REQUIRE(group["entries"].size() == 1);
  CHECK(group["entries"][0]["group"] == "app.b");

  const auto prefix = json::parse(store.cli({"export", "--prefix", "app."}).out);
  CHECK(prefix["entries"].size() == 2);

  const auto missing = store.cli({"export", "--group", "nothing"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "kvstore: export: nothing: group not found\n");
  CHECK(missing.out.empty());
}

TEST_CASE("import skips keys whose expiry time has passed", "[cli]") {
  StoreFile store;
  const std::string file = store.dir().file("old.json");
  write_file(file, R"({"format": "kvstore-export", "version": 1, "entries": [
    {"group": "g", "key": "stale", "value": "x", "expires_at": "2001-01-01T00:00:00.000Z"},
    {"group": "g", "key": "fresh", "value": "y", "expires_at": "2200-01-01T00:00:00Z"},
    {"group": "g", "key": "forever", "value": "z"}
  ]})");
  const auto result = store.cli({"import", file});
  CHECK(result.exit_code == 0);
  CHECK(result.out == "imported 2 entries (skipped 1 expired)\n");
  CHECK(store.cli({"get", "g", "stale"}).exit_code == 1);
  CHECK(store.cli({"get", "g", "forever"}).out == "z\n");
  CHECK(json::parse(store.cli({"--json", "get", "g", "fresh"}).out)["expires_at"] ==
        "2200-01-01T00:00:00.000Z");
}

TEST_CASE("a malformed import file is rejected, naming where, and changes nothing", "[cli]") {
  StoreFile store;
  REQUIRE(store.cli({"set", "g", "kept", "before"}).exit_code == 0);
  const auto before = contents_of(store.path());
  const std::string file = store.dir().file("bad.json");
  const std::string good = R"({"group": "g", "key": "kept", "value": "after"})";

  // (document, what the error must say)
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"entries\": [\n  " + good + ",\n  {\"group\": \"g\" \"key\": 1}\n]}",
       "bad.json:3:21: invalid JSON"},
      {"{\"entries\": [" + good + ",", "bad.json:1:"},
      {"[]", "at the document: expected an object"},
      {"{}", "at /entries: missing"},
      {R"({"entries": {}})", "at /entries: expected an array"},
      {"{\"entries\": [" + good + ", 7]}", "at /entries/1: expected an object"},
      {"{\"entries\": [" + good + R"(, {"group": "g", "key": "k", "value": 5}]})",
       "at /entries/1/value: expected a string"},
      {"{\"entries\": [" + good + R"(, {"group": "g", "value": "v"}]})",
       "at /entries/1/key: missing"},
      {R"({"entries": [{"group": "g", "key": "k", "value": "***", "encoding": "base64"}]})",
       "at /entries/0/value: invalid base64"},
      {R"({"entries": [{"group": "g", "key": "k", "value": "v", "encoding": "rot13"}]})",
       "at /entries/0/encoding: expected \"base64\""},
      {R"({"entries": [{"group": "g", "key": "k", "value": "v", "expires_at": "soon"}]})",
       "at /entries/0/expires_at: expected an RFC 3339 time (years 1970-2261) or null"},
      {R"({"entries": [{"group": "g", "key": "k", "value": "v", "expires_at": "2999-01-01T00:00:00Z"}]})",
       "at /entries/0/expires_at: expected an RFC 3339 time"},
      {R"({"entries": [{"group": "g", "key": "k", "value": "v", "expires_at": "1716-01-01T00:00:00Z"}]})",
       "at /entries/0/expires_at: expected an RFC 3339 time"},
      {R"({"format": "csv", "entries": []})", "at /format"},
      {R"({"version": 2, "entries": []})", "at /version: unsupported version"},
  };
  for (const auto& [document, message] : cases) {
    INFO(document);
    write_file(file, document);
    const auto result = store.cli({"import", file});
    INFO(result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.starts_with("kvstore: import: " + file));
    CHECK(result.err.find(message) != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(contents_of(store.path()) == before);
  }

  // A bad document never creates a store either.
  kvtest::TempDir empty;
  write_file(empty.file("bad.json"), "{");
  CHECK(clitest::run({"--db", empty.file("new.db"), "import", empty.file("bad.json")}).exit_code ==
        2);
  CHECK_FALSE(std::filesystem::exists(empty.file("new.db")));
}
