// One stored key as the CLI shows and exports it: the entry object of docs/cli.md,
//   {"group": "config", "key": "theme", "value": "dark", "expires_at": null}
// with "encoding": "base64" (or "group_encoding"/"key_encoding") for bytes that are not UTF-8 and
// expires_at an RFC 3339 UTC time, or null for a key without TTL.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "timestamp.hpp"

namespace kvcli {

struct Entry {
  std::string group, key, value;
  std::optional<Clock::time_point> expires_at;  // nullopt: no TTL
};

nlohmann::json to_json(const Entry& entry);

// Reads an entry object; throws CliError (usage) naming the JSON pointer `at` (plus the field)
// when the object has the wrong shape.
Entry entry_from_json(const nlohmann::json& object, const nlohmann::json::json_pointer& at);

// group/key's value and expiry, read in one consistent step; nullopt if absent or expired.
// `Scope` is a Store or a ScopedStore.
template <class Scope>
std::optional<Entry> read_entry(Scope& scope, std::string_view group, std::string_view key) {
  auto reader = scope.open_reader(group, key);
  if (!reader) return std::nullopt;
  return Entry{std::string(group), std::string(key), reader->read_all(),
               reader->metadata().expires_at};
}

}  // namespace kvcli
