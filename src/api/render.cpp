// Mustache rendering of a group (kainjow::mustache), the same for every DataApi.
#include <kainjow/mustache.hpp>

#include "api/mustache_depth.hpp"
#include "kvstore/data_api.hpp"
#include "kvstore/errors.hpp"
#include "util/operation.hpp"

namespace kvstore {
namespace {

// Deep enough for any real template, shallow enough for a small thread stack (about 10 stack
// frames per level while kainjow walks the tree).
constexpr std::size_t kMaxSectionDepth = 256;

struct PartialRefused {
  std::string name;
};

// Partials ({{> name}}) are refused: kainjow would render the stored value `name` as a template,
// turning data into code, and a value naming itself would recurse until the stack overflows
// (found by fuzz_render).
class ContextWithoutPartials : public kainjow::mustache::context<std::string> {
 public:
  using context::context;
  const kainjow::mustache::data* get_partial(const std::string& name) const override {
    throw PartialRefused{name};
  }
};

std::string render_group(const DataApi& data, std::string_view group,
                         std::string_view mustache_template, const detail::Operation& op) {
  if (detail::section_depth(mustache_template) > kMaxSectionDepth) {
    throw InvalidArgument(
        op.message("template: sections nested deeper than " + std::to_string(kMaxSectionDepth)));
  }
  kainjow::mustache::mustache view{std::string(mustache_template)};
  if (!view.is_valid()) throw InvalidArgument(op.message("template: " + view.error_message()));
  // Values go in as they are, like go-store's text/template: no HTML escaping.
  view.set_custom_escape([](const std::string& text) { return text; });
  kainjow::mustache::data variables;
  for (const auto& [key, value] : data.get_all(group)) variables.set(key, value);
  ContextWithoutPartials context(&variables);
  std::string out;
  try {
    out = view.render(context);
  } catch (const PartialRefused& refused) {
    throw InvalidArgument(
        op.message("template: partials are not supported ({{> " + refused.name + "}})"));
  }
  if (!view.is_valid()) throw InvalidArgument(op.message("template: " + view.error_message()));
  return out;
}

}  // namespace

std::string DataApi::render(std::string_view group, Template mustache_template) const {
  const auto op = detail::Operation::of("render", group).within(group_prefix_in_errors());
  return detail::guarded(op,
                         [&] { return render_group(*this, group, mustache_template.text, op); });
}

}  // namespace kvstore
