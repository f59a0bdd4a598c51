#include "util/json_text.hpp"

namespace kvstore::detail {

std::string json_text(const nlohmann::json& value, const Operation& op) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(op.message(std::string("value is not serializable JSON: ") + e.what()));
  }
}

nlohmann::json parse_json_text(std::string_view text, const Operation& op) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // Every kind, not only parse_error: a number past a double's range is out_of_range.
    throw InvalidArgument(op.message(std::string("not JSON: ") + e.what()));
  }
}

}  // namespace kvstore::detail
