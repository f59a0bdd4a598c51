// Views of a stored value, the same for every DataApi: split into parts, or parsed as JSON; and
// Store's set_json.
#include <algorithm>
#include <cctype>

#include "kvstore/data_api.hpp"
#include "kvstore/errors.hpp"
#include "kvstore/store.hpp"
#include "util/json_text.hpp"
#include "util/operation.hpp"

namespace kvstore {

using detail::Operation;

DataApi::~DataApi() = default;

std::vector<std::string> DataApi::get_split(std::string_view group, std::string_view key,
                                            std::string_view sep) const {
  const auto op = Operation::of("get_split", group, key).within(group_prefix_in_errors());
  if (sep.empty()) throw InvalidArgument(op.message("empty separator"));
  return detail::guarded(op, [&] {
    std::vector<std::string> parts;
    const auto value = get(group, key);
    if (!value) return parts;
    std::string_view rest = *value;
    for (auto at = rest.find(sep); at != std::string_view::npos; at = rest.find(sep)) {
      parts.emplace_back(rest.substr(0, at));
      rest.remove_prefix(at + sep.size());
    }
    parts.emplace_back(rest);
    return parts;
  });
}

std::vector<std::string> DataApi::get_fields(std::string_view group, std::string_view key) const {
  return detail::guarded(Operation::of("get_fields", group, key).within(group_prefix_in_errors()),
                         [&] {
                           std::vector<std::string> fields;
                           const auto value = get(group, key);
                           if (!value) return fields;
                           const auto is_space = [](char c) {
                             return std::isspace(static_cast<unsigned char>(c)) != 0;
                           };
                           for (auto it = value->begin(); it != value->end();) {
                             const auto start = std::find_if_not(it, value->end(), is_space);
                             it = std::find_if(start, value->end(), is_space);
                             if (start != it) fields.emplace_back(start, it);
                           }
                           return fields;
                         });
}

void Store::set_json(std::string_view group, std::string_view key, const nlohmann::json& value) {
  const auto op = Operation::of("set_json", group, key);
  detail::guarded(op, [&] { set(group, key, detail::json_text(value, op)); });
}

std::optional<nlohmann::json> DataApi::get_json(std::string_view group,
                                                std::string_view key) const {
  const auto op = Operation::of("get_json", group, key).within(group_prefix_in_errors());
  return detail::guarded(op, [&]() -> std::optional<nlohmann::json> {
    const auto value = get(group, key);
    if (!value) return std::nullopt;
    return detail::parse_json_text(*value, op);
  });
}

}  // namespace kvstore
