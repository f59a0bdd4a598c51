// Mustache rendering of a group (kainjow::mustache).
#include <kainjow/mustache.hpp>

#include "kvstore/store.hpp"
#include "operation.hpp"

namespace kvstore {

std::string Store::render(std::string_view mustache_template, std::string_view group) {
  const auto op = detail::Operation::of("render", group);
  kainjow::mustache::mustache view{std::string(mustache_template)};
  if (!view.is_valid()) throw InvalidArgument(op.message("template: " + view.error_message()));
  // Values go in as they are, like go-store's text/template: no HTML escaping.
  view.set_custom_escape([](const std::string& text) { return text; });
  kainjow::mustache::data variables;
  for (const auto& [key, value] : get_all(group)) variables.set(key, value);
  std::string out = view.render(variables);
  if (!view.is_valid()) throw InvalidArgument(op.message("template: " + view.error_message()));
  return out;
}

}  // namespace kvstore
