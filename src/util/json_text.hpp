// A JSON value as the text set_json stores, and back.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/operation.hpp"

namespace kvstore::detail {

// value.dump(); throws InvalidArgument naming `op` if the value cannot be serialized (a string
// that is not valid UTF-8).
std::string json_text(const nlohmann::json& value, const Operation& op);

// The JSON value `text` holds; throws InvalidArgument naming `op` if it holds none: not JSON, or
// JSON nlohmann cannot represent (a number too large for a double).
nlohmann::json parse_json_text(std::string_view text, const Operation& op);

}  // namespace kvstore::detail
