// Byte strings (groups, keys, values) in JSON documents. JSON strings must be UTF-8, so bytes
// that are not valid UTF-8 are stored base64-encoded and marked by a sibling field:
//   {"value": "AP8=", "encoding": "base64"}   (and "group_encoding" / "key_encoding").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kvcli {

// Whether `bytes` is valid UTF-8 (checked by nlohmann_json's strict encoder).
bool is_utf8(std::string_view bytes);

// The marker field of `field`: "encoding" for "value", "<field>_encoding" otherwise.
std::string encoding_field(std::string_view field);

// object[field] = bytes, base64-encoded and marked when not valid UTF-8.
void put_bytes(nlohmann::json& object, std::string_view field, std::string_view bytes);

// {"group": ..., "key": ...} through put_bytes(): how every command names a key in JSON.
nlohmann::json key_object(std::string_view group, std::string_view key);

// The bytes put_bytes() stored under object[field]. Throws CliError (usage), naming `at` (the
// object's JSON pointer) and the field, if the field is missing, not a string, or marked with an
// unknown encoding or holding invalid base64.
std::string get_bytes(const nlohmann::json& object, std::string_view field,
                      const nlohmann::json::json_pointer& at);

}  // namespace kvcli
