// Write commands: set, del, expire, persist, purge.
#include <memory>

#include "command_support.hpp"
#include "commands.hpp"
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
  double ttl_ms = 0;                   // --ttl, in ms; 0: no TTL
  bool validate_json = false;          // set's own --json: the value must be JSON
};

// The value to store: the positional or the --file content, checked as JSON if asked.
std::string value_of(const SetArgs& args) {
  if (!args.value_given->count() && args.file.empty()) {
    throw CliError(ExitCode::usage, "give a value or --file (see kvstore set --help)");
  }
  std::string value = args.file.empty() ? args.value : read_input(args.file);
  if (args.validate_json) (void)parse_json(value, "value");
  return value;
}

void add_set(Registry& registry, const Context& context) {
  auto args = std::make_shared<SetArgs>();
  auto* command =
      registry.add("set", "Store a value under group/key, creating the store if needed",
                   "kvstore set config theme dark --ttl 10m\n"
                   "  kvstore set --json config limits '{\"max\": 10}'\n"
                   "  kvstore set images logo --file logo.png",
                   [&context, args] {
                     const std::string value = value_of(*args);
                     const auto ttl = to_milliseconds(args->ttl_ms);
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
  command->add_option("--ttl", args->ttl_ms, "Expire after this long: 500ms, 30s, 10m, 1.5h, 2d")
      ->type_name("DURATION")
      ->transform(duration_in_ms())
      ->check(CLI::PositiveNumber)
      ->check(at_least_one_ms());
  command->add_flag(
      "--json", args->validate_json,
      "Reject the value unless it is valid JSON (machine output: kvstore --json set)");
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

struct ExpireArgs {
  KeyArgs target;
  double ttl_ms = 0;  // in ms
};

void add_expire(Registry& registry, const Context& context) {
  auto args = std::make_shared<ExpireArgs>();
  auto* command = registry.add(
      "expire", "Give a key a new TTL, keeping its value", "kvstore expire session token 30m",
      [&context, args] {
        const auto ttl = to_milliseconds(args->ttl_ms);
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
  command->add_option("ttl", args->ttl_ms, "Expire after this long: 500ms, 30s, 10m, 1.5h, 2d")
      ->required()
      ->type_name("DURATION")
      ->transform(duration_in_ms())
      ->check(CLI::PositiveNumber)
      ->check(at_least_one_ms());
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
  add_expire(registry, context);
  add_persist(registry, context);
  add_purge(registry, context);
}

}  // namespace kvcli
