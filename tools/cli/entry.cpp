#include "entry.hpp"

#include "exit_codes.hpp"
#include "json_bytes.hpp"

namespace kvcli {

nlohmann::json to_json(const Entry& entry) {
  nlohmann::json object = key_object(entry.group, entry.key);
  put_bytes(object, "value", entry.value);
  object["expires_at"] =
      entry.expires_at ? nlohmann::json(format_time(*entry.expires_at)) : nullptr;
  return object;
}

Entry entry_from_json(const nlohmann::json& object, const nlohmann::json::json_pointer& at) {
  if (!object.is_object()) {
    throw CliError(ExitCode::usage, "at " + at.to_string() + ": expected an object");
  }
  Entry entry{get_bytes(object, "group", at), get_bytes(object, "key", at),
              get_bytes(object, "value", at), std::nullopt};
  const auto expires = object.find("expires_at");
  if (expires != object.end() && !expires->is_null()) {
    const auto time = expires->is_string() ? parse_time(expires->get<std::string>()) : std::nullopt;
    if (!time) {
      throw CliError(ExitCode::usage, "at " + (at / "expires_at").to_string() +
                                          ": expected an RFC 3339 time (years 1970-2261) or null");
    }
    entry.expires_at = time;
  }
  return entry;
}

}  // namespace kvcli
