// libFuzzer target: the CLI's import parser (tools/cli/export_format.cpp, read_export) on whole
// documents. What it accepts must survive an export/import round trip unchanged, and must import
// into a store the way `kvstore import` does (one transaction; a TTL becomes the time left) and
// read back byte for byte.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "exit_codes.hpp"
#include "export_format.hpp"
#include "fuzz_support.hpp"

namespace {

using kvcli::Entry;
using kvfuzz::check;

std::vector<Entry> reexport(const std::vector<Entry>& entries) {
  std::ostringstream out;
  kvcli::ExportWriter writer(out);
  for (const auto& entry : entries) writer.add(entry);
  writer.finish();
  try {
    return kvcli::read_export(out.str(), "re-export");
  } catch (const kvcli::CliError& error) {
    kvfuzz::fail(std::string("an exported document does not import: ") + error.what());
  }
}

struct Expected {
  std::string value;
  bool certain;  // false: a short TTL may have passed before the read
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<Entry> entries;
  try {
    entries = kvcli::read_export({reinterpret_cast<const char*>(data), size}, "fuzz");
  } catch (const kvcli::CliError&) {
    return 0;  // rejected with a message: fine
  }

  const auto again = reexport(entries);
  check(again.size() == entries.size(), "re-export changed the number of entries");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    check(again[i].group == entries[i].group && again[i].key == entries[i].key &&
              again[i].value == entries[i].value,
          "re-export changed an entry's bytes");
    check(again[i].expires_at.has_value() == entries[i].expires_at.has_value(),
          "re-export changed whether an entry expires");
  }

  const kvfuzz::EmptyAfterInput empty_after;
  auto& store = kvfuzz::shared_store();
  std::map<std::pair<std::string, std::string>, Expected> expected;
  const auto now = kvcli::Clock::now();
  store.transaction([&](kvstore::Transaction& tx) {
    for (const auto& entry : entries) {
      const auto id = std::make_pair(entry.group, entry.key);
      if (!entry.expires_at) {
        tx.set(entry.group, entry.key, entry.value);
        expected[id] = {entry.value, true};
        continue;
      }
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*entry.expires_at - now);
      if (left.count() <= 0) continue;  // already expired: skipped, like `kvstore import`
      tx.set_with_ttl(entry.group, entry.key, entry.value, left);
      expected[id] = {entry.value, left > std::chrono::seconds(30)};
    }
  });
  for (const auto& [id, want] : expected) {
    const auto got = store.get(id.first, id.second);
    if (got) {
      check(*got == want.value, "an imported value reads back different");
    } else {
      check(!want.certain, "an imported key is missing");
    }
  }
  return 0;
}
