// Write commands: set, del, expire, persist, rm-group, rm-prefix, purge.
#include <memory>

#include "command_support.hpp"
#include "commands.hpp"
#include "confirmation.hpp"
#include "duration.hpp"
#include "input.hpp"
#include "json_bytes.hpp"
#include "timestamp.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

struct SetArgs {
  KeyArgs target;
  std::string value;
  CLI::Option* value_given = nullptr;  // the positional value, to tell "" from absent
  std::string file;                    // --file: the value is this file's content ("-": stdin)
  std::string ttl;                     // --ttl, checked by ttl_check(); empty: no TTL
  std::string type = "text";           // --type: "json" = the value must be JSON
};

// --ttl: a duration of at least 1 ms. "0s" is refused rather than read as "no TTL": a computed
// TTL that came out 0 would otherwise store a key that never expires.
CLI::Validator ttl_check() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        const auto ttl = parse_duration(text);
        if (!ttl) return invalid_duration(text);
        if (ttl->count() < 1) {
          return "invalid duration '" + text +
                 "': a TTL must be at least 1ms once rounded (omit --ttl for no expiry)";
        }
        return "";
      },
      "");
}

// The value to store: the positional or the --file content, checked as JSON if asked.
std::string value_of(const SetArgs& args) {
  if (!args.value_given->count() && args.file.empty()) {
    throw CliError(ExitCode::usage, "give a value or --file (see kvstore set --help)");
  }
  std::string value = args.file.empty() ? args.value : read_input(args.file);
  if (args.type == "json") (void)parse_json(value, "value");
  return value;
}

void add_set(Registry& registry, const Context& context) {
  auto args = std::make_shared<SetArgs>();
  auto* command =
      registry.add("set", "Store a value under group/key, creating the store if needed",
                   "kvstore set config theme dark --ttl 10m\n"
                   "  kvstore set config limits '{\"max\": 10}' --type json\n"
                   "  kvstore set images logo --file logo.png",
                   [&context, args] {
                     const std::string value = value_of(*args);
                     const auto ttl = args->ttl.empty() ? std::chrono::milliseconds(0)
                                                        : *parse_duration(args->ttl);
                     auto db = context.open(Access::write_create);
                     const auto& [group, key] = args->target;
                     db->with_scope([&](auto& scope) {
                       ttl.count() > 0 ? scope.set_with_ttl(group, key, value, ttl)
                                       : scope.set(group, key, value);
                     });
                     json result = key_object(group, key);
                     result["ttl_ms"] = ttl.count() > 0 ? json(ttl.count()) : json(nullptr);
                     context.output().confirm(
                         "stored " + key_name(group, key) +
                             (ttl.count() > 0 ? " (expires in " + format_duration(ttl) + ")" : ""),
                         result);
                   });
  add_key_args(command, args->target);
  args->value_given = command->add_option("value", args->value, "Value to store");
  command->add_option("-f,--file", args->file, "Read the value from FILE (- for stdin)")
      ->type_name("FILE")
      ->excludes(args->value_given);
  command->add_option("--ttl", args->ttl, "Expire after this long: 500ms, 90s, 10m, 1h30m, 2d")
      ->type_name("DURATION")
      ->check(ttl_check());
  command
      ->add_option("--type", args->type,
                   "What the value must be: text (anything, the default) or json (refused "
                   "unless valid JSON; stored as given)")
      ->type_name("TYPE")
      ->check(CLI::IsMember({"text", "json"}));
}

void add_del(Registry& registry, const Context& context) {
  auto args = std::make_shared<KeyArgs>();
  auto* command = registry.add("del", "Delete a key", "kvstore del config theme", [&context, args] {
    auto db = context.open(Access::write_existing);
    const bool erased =
        db->with_scope([&](auto& scope) { return scope.erase(args->group, args->key); });
    if (!erased) throw key_not_found(args->group, args->key);
    json result = key_object(args->group, args->key);
    result["deleted"] = true;
    context.output().confirm("deleted " + key_name(args->group, args->key), result);
  });
  add_key_args(command, *args);
}

struct RemoveArgs {
  std::string name;  // the group, or the prefix
  bool yes = false;
};

// rm-group and rm-prefix: how many keys go is told before asking, and again after.
void add_remove(Registry& registry, const Context& context, bool prefix) {
  auto args = std::make_shared<RemoveArgs>();
  const std::string name = prefix ? "rm-prefix" : "rm-group";
  auto* command = registry.add(
      name,
      prefix ? "Delete every key of the groups whose name starts with PREFIX"
             : "Delete every key of a group",
      prefix ? "kvstore rm-prefix cache: --yes" : "kvstore rm-group session",
      [&context, args, prefix, name] {
        auto db = context.open(Access::write_existing);
        const auto& target = args->name;
        const auto live = db->with_scope([&](auto& scope) {
          std::uint64_t keys = 0;
          for (const auto& group : prefix ? scope.groups(target) : std::vector{target}) {
            keys += scope.count(group);
          }
          return keys;
        });
        const std::string what =
            prefix ? "the groups starting with " + printable(target) : "group " + printable(target);
        if (live == 0) {
          throw prefix ? CliError(ExitCode::not_found,
                                  printable(target) + ": no group starting with it holds a key")
                       : group_not_found(target);
        }
        require_confirmation(name, "delete " + std::to_string(live) + " keys of " + what,
                             args->yes);
        const auto removed = db->with_scope([&](auto& scope) {
          return prefix ? scope.delete_prefix(target) : scope.delete_group(target);
        });
        json result{{"deleted", removed}};
        put_bytes(result, prefix ? "prefix" : "group", target);
        context.output().confirm("deleted " + std::to_string(removed) + " keys of " + what, result);
      });
  // An empty prefix would mean every group: refused, as an unset variable in a script could
  // give it.
  command->add_option(prefix ? "prefix" : "group", args->name, prefix ? "Group prefix" : "Group")
      ->required()
      ->check(CLI::Validator([](const std::string& name)
                                 -> std::string { return name.empty() ? "must not be empty" : ""; },
                             ""));
  command->add_flag("-y,--yes", args->yes, "Do not ask (for scripts)");
}

struct ExpireArgs {
  KeyArgs target;
  std::string ttl;  // checked by ttl_check()
};

void add_expire(Registry& registry, const Context& context) {
  auto args = std::make_shared<ExpireArgs>();
  auto* command = registry.add(
      "expire", "Give a key a new TTL, keeping its value", "kvstore expire session token 30m",
      [&context, args] {
        const auto ttl = *parse_duration(args->ttl);
        const auto& [group, key] = args->target;
        auto db = context.open(Access::write_existing);
        if (!db->with_scope([&](auto& scope) { return scope.expire(group, key, ttl); })) {
          throw key_not_found(group, key);
        }
        json result = key_object(group, key);
        result["ttl_ms"] = ttl.count();
        context.output().confirm(key_name(group, key) + " expires in " + format_duration(ttl),
                                 result);
      });
  add_key_args(command, args->target);
  command->add_option("ttl", args->ttl, "Expire after this long: 500ms, 90s, 10m, 1h30m, 2d")
      ->required()
      ->type_name("DURATION")
      ->check(ttl_check());
}

void add_persist(Registry& registry, const Context& context) {
  auto args = std::make_shared<KeyArgs>();
  auto* command = registry.add(
      "persist", "Remove a key's TTL, keeping its value", "kvstore persist session token",
      [&context, args] {
        auto db = context.open(Access::write_existing);
        if (!db->with_scope([&](auto& scope) { return scope.persist(args->group, args->key); })) {
          throw key_not_found(args->group, args->key);
        }
        json result = key_object(args->group, args->key);
        result["ttl_ms"] = nullptr;
        context.output().confirm(key_name(args->group, args->key) + " no longer expires", result);
      });
  add_key_args(command, *args);
}

void add_purge(Registry& registry, const Context& context) {
  registry.add("purge", "Delete the expired keys now (of the namespace only with --namespace)",
               "kvstore purge", [&context] {
                 auto db = context.open(Access::write_existing);
                 const auto purged =
                     db->with_scope([](auto& scope) { return scope.purge_expired(); });
                 context.output().confirm("purged " + std::to_string(purged) + " expired keys",
                                          json{{"purged", purged}});
               });
}

}  // namespace

void add_write_commands(Registry& registry, const Context& context) {
  add_set(registry, context);
  add_del(registry, context);
  add_remove(registry, context, /*prefix=*/false);
  add_remove(registry, context, /*prefix=*/true);
  add_expire(registry, context);
  add_persist(registry, context);
  add_purge(registry, context);
}

}  // namespace kvcli
