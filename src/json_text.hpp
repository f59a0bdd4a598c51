// A JSON value as the text set_json stores.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "operation.hpp"

namespace kvstore::detail {

// value.dump(); throws InvalidArgument naming `op` if the value cannot be serialized (a string
// that is not valid UTF-8).
std::string json_text(const nlohmann::json& value, const Operation& op);

}  // namespace kvstore::detail
