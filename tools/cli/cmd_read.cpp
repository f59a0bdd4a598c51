// Read commands: get, groups, keys, count, ttl, render. They open the store read-only.
#include <memory>

#include "command_support.hpp"
#include "commands.hpp"
#include "duration.hpp"
#include "entry.hpp"
#include "input.hpp"
#include "json_bytes.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

// Time left before `expires_at` (never negative).
std::chrono::milliseconds remaining(Clock::time_point expires_at) {
  const auto now = Clock::now();  // compared first: a distant past minus now would overflow
  if (expires_at <= now) return std::chrono::milliseconds(0);
  return std::chrono::floor<std::chrono::milliseconds>(expires_at - now);
}

std::string ttl_text(const std::optional<Clock::time_point>& expires_at) {
  return expires_at ? format_duration(remaining(*expires_at)) : "none";
}

void add_get(Registry& registry, const Context& context) {
  auto args = std::make_shared<KeyArgs>();
  auto* command =
      registry.add("get", "Print the value of a key", "kvstore get config theme", [&context, args] {
        auto db = context.open(Access::read_only);
        const auto entry =
            db->with_scope([&](auto& scope) { return read_entry(scope, args->group, args->key); });
        if (!entry) throw key_not_found(args->group, args->key);
        const auto out = context.output();
        out.is_json() ? out.json(to_json(*entry)) : out.text(entry->value);
      });
  add_key_args(command, *args);
}

void add_groups(Registry& registry, const Context& context) {
  auto prefix = std::make_shared<std::string>();
  auto* command = registry.add(
      "groups", "List the groups (with live keys), optionally those starting with a prefix",
      "kvstore groups conf", [&context, prefix] {
        auto db = context.open(Access::read_only);
        const auto out = context.output();
        json list = json::array();
        std::vector<Row> rows;
        db->with_scope([&](auto& scope) {
          for (const auto& group : scope.groups(*prefix)) {
            const auto keys = scope.count(group);
            json item;
            put_bytes(item, "group", group);
            item["keys"] = keys;
            list.push_back(std::move(item));
            rows.push_back({group, std::to_string(keys)});
          }
        });
        out.is_json() ? out.json(list) : out.table({"GROUP", "KEYS"}, rows);
      });
  command->add_option("prefix", *prefix, "Only groups whose name starts with this");
}

struct KeysArgs {
  std::string group;
  bool values = false;
};

void add_keys(Registry& registry, const Context& context) {
  auto args = std::make_shared<KeysArgs>();
  auto* command = registry.add(
      "keys", "List the keys of a group (with their values and TTLs on request)",
      "kvstore keys config --values", [&context, args] {
        auto db = context.open(Access::read_only);
        const auto out = context.output();
        json list = json::array();
        std::vector<Row> rows;
        db->with_scope([&](auto& scope) {
          scope.for_each(args->group, [&](std::string_view key, std::string_view value) {
            if (!args->values) {
              json item;
              put_bytes(item, "key", key);
              list.push_back(std::move(item));
              rows.push_back({std::string(key)});
              return true;
            }
            const auto meta = scope.stat(args->group, key);
            if (!meta) return true;  // expired or deleted since the walk read it
            const Entry entry{args->group, std::string(key), std::string(value), meta->expires_at};
            list.push_back(to_json(entry));
            rows.push_back({entry.key, entry.value, ttl_text(entry.expires_at)});
            return true;
          });
        });
        if (list.empty()) throw group_not_found(args->group);
        if (out.is_json()) return out.json(list);
        out.table(args->values ? Row{"KEY", "VALUE", "TTL"} : Row{"KEY"}, rows);
      });
  command->add_option("group", args->group, "Group")->required();
  command->add_flag("-v,--values", args->values, "Show each key's value and remaining TTL");
}

void add_count(Registry& registry, const Context& context) {
  auto group = std::make_shared<std::string>();
  auto* command =
      registry.add("count", "Count the live keys of a group, or of the whole store (or namespace)",
                   "kvstore count config", [&context, group] {
                     auto db = context.open(Access::read_only);
                     const auto count = db->with_scope([&](auto& scope) {
                       return group->empty() ? scope.count_all() : scope.count(*group);
                     });
                     const auto out = context.output();
                     if (!out.is_json()) return out.text(std::to_string(count));
                     json result{{"count", count}};
                     if (!group->empty()) put_bytes(result, "group", *group);
                     out.json(result);
                   });
  command->add_option("group", *group, "Group (default: every group)");
}

void add_ttl(Registry& registry, const Context& context) {
  auto args = std::make_shared<KeyArgs>();
  auto* command = registry.add(
      "ttl", "Print the time a key has left before it expires (\"none\" without TTL)",
      "kvstore ttl session token", [&context, args] {
        auto db = context.open(Access::read_only);
        const auto meta =
            db->with_scope([&](auto& scope) { return scope.stat(args->group, args->key); });
        if (!meta) throw key_not_found(args->group, args->key);
        const auto out = context.output();
        if (!out.is_json()) return out.text(ttl_text(meta->expires_at));
        json result = key_object(args->group, args->key);
        result["ttl_ms"] =
            meta->expires_at ? json(remaining(*meta->expires_at).count()) : json(nullptr);
        result["expires_at"] =
            meta->expires_at ? json(format_time(*meta->expires_at)) : json(nullptr);
        out.json(result);
      });
  add_key_args(command, *args);
}

struct RenderArgs {
  std::string group, source;  // source: the template, or @file ("@-" = stdin)
};

void add_render(Registry& registry, const Context& context) {
  auto args = std::make_shared<RenderArgs>();
  auto* command = registry.add(
      "render", "Render a Mustache template with the keys of a group as variables",
      "kvstore render user 'Hello {{name}}'   or   kvstore render user @greeting.mustache",
      [&context, args] {
        const bool from_file = args->source.starts_with('@');
        const std::string text = from_file ? read_input(args->source.substr(1)) : args->source;
        auto db = context.open(Access::read_only);
        const auto rendered = db->with_scope([&](auto& scope) {
          if (scope.count(args->group) == 0) throw group_not_found(args->group);
          return scope.render(args->group, kvstore::Template{text});
        });
        const auto out = context.output();
        if (out.is_json()) {
          json result;
          put_bytes(result, "output", rendered);
          return out.json(result);
        }
        // One final newline, whether or not the template ends with one.
        out.text(rendered.ends_with('\n') ? rendered.substr(0, rendered.size() - 1) : rendered);
      });
  command->add_option("group", args->group, "Group whose keys are the variables")->required();
  command->add_option("template", args->source, "Template text, or @FILE (@- for stdin)")
      ->required();
}

}  // namespace

void add_read_commands(Registry& registry, const Context& context) {
  add_get(registry, context);
  add_groups(registry, context);
  add_keys(registry, context);
  add_count(registry, context);
  add_ttl(registry, context);
  add_render(registry, context);
}

}  // namespace kvcli
