// The open-addressing table behind the LastModifiedStore's memory (src/last_modified/table.hpp):
// random inserts, replacements and erases (single, and erase_if sweeps) checked against a
// std::map model, with keys crafted to collide in one probe run.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>

#include "last_modified/table.hpp"

using kvstore::detail::Entry;
using kvstore::detail::EntryTable;
using kvstore::detail::KeyRef;
using kvstore::detail::Stamp;
using kvstore::detail::Version;

namespace {

using Model = std::map<std::pair<std::string, std::string>, std::pair<std::string, std::uint64_t>>;

// A hash with few distinct values, so that most keys share probe runs (and runs wrap around the
// end of the slot array), never 0.
std::uint64_t crowded_hash(KeyRef key) { return 1 + kvstore::detail::hash_of(key) % 7; }

Entry entry_of(KeyRef key, const std::string& value, std::uint64_t revision) {
  return Entry(key, Version{value, {}, {}, revision}, Stamp{});
}

void check_same(const EntryTable& table, const Model& model, bool crowded) {
  REQUIRE(table.size() == model.size());
  std::size_t seen = 0;
  table.for_each([&](const Entry& entry) {
    ++seen;
    const auto it = model.find({std::string(entry.group()), std::string(entry.key())});
    REQUIRE(it != model.end());
    CHECK(entry.value() == it->second.first);
    CHECK(entry.revision() == it->second.second);
  });
  CHECK(seen == model.size());
  for (const auto& [key, value] : model) {
    const KeyRef ref{key.first, key.second};
    const Entry* entry =
        table.find(ref, crowded ? crowded_hash(ref) : kvstore::detail::hash_of(ref));
    REQUIRE(entry);
    CHECK(entry->value() == value.first);
  }
}

}  // namespace

TEST_CASE("LastModifiedStore table: random operations match a map", "[lastmod]") {
  const bool crowded = GENERATE(false, true);
  CAPTURE(crowded);
  std::mt19937 random(crowded ? 7 : 11);
  EntryTable table;
  Model model;
  const auto hash = [&](KeyRef key) {
    return crowded ? crowded_hash(key) : kvstore::detail::hash_of(key);
  };
  for (int step = 0; step < 4000; ++step) {
    // Groups and keys that differ only by where the group ends must not be confused.
    const std::string group = std::string("g") + (random() % 2 ? "a" : "");
    const std::string key = (random() % 2 ? "a" : "") + std::to_string(random() % 200);
    const KeyRef ref{group, key};
    const auto op = random() % 10;
    if (op < 5) {  // set
      const std::string value(random() % 40, static_cast<char>('a' + step % 26));
      if (Entry* entry = table.find(ref, hash(ref))) {
        entry->replace(Version{value, {}, {}, static_cast<std::uint64_t>(step)}, Stamp{});
      } else {
        table.insert(hash(ref), entry_of(ref, value, static_cast<std::uint64_t>(step)));
      }
      model[{group, key}] = {value, static_cast<std::uint64_t>(step)};
    } else if (op < 9) {  // erase
      table.erase(ref, hash(ref));
      model.erase({group, key});
    } else {  // sweep: drop every entry whose value has an even length
      table.erase_if([](const Entry& entry) { return entry.value().size() % 2 == 0; });
      std::erase_if(model, [](const auto& item) { return item.second.first.size() % 2 == 0; });
    }
    if (step % 500 == 0) check_same(table, model, crowded);
  }
  check_same(table, model, crowded);
  table.erase_if([](const Entry&) { return true; });
  CHECK(table.size() == 0);
  CHECK_FALSE(table.find({"ga", "a1"}, hash({"ga", "a1"})));
}
