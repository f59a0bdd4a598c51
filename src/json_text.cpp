#include "json_text.hpp"

namespace kvstore::detail {

std::string json_text(const nlohmann::json& value, const Operation& op) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(op.message(std::string("value is not serializable JSON: ") + e.what()));
  }
}

}  // namespace kvstore::detail
