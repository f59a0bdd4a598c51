// migrate: upgrades a store file of an older schema (go-store's, or an earlier kvstore's) in
// place, after showing what will change, asking, and copying the file aside.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "confirmation.hpp"
#include "exit_codes.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

struct MigrateArgs {
  std::string backup;  // --backup FILE; empty: <db>.bak-<version>
  bool no_backup = false;
  bool yes = false;
};

// "1 kv, 2 revisions, ...": the migrations after `version`.
std::string pending_migrations(int version) {
  std::string list;
  for (const auto& migration : kvstore::schema_migrations()) {
    if (migration.version <= version) continue;
    list += (list.empty() ? "" : ", ") + std::to_string(migration.version) + " " + migration.name;
  }
  return list;
}

void migrate(const Context& context, const MigrateArgs& args) {
  const auto path = context.db_path();
  // Read-only first: the versions are known, and the file untouched, before anything is asked.
  const int from = Database(path, Access::read_only, "").store().stats().schema_version;
  const int to = kvstore::latest_schema_version();
  const auto out = context.output();
  if (from >= to) {
    return out.confirm(
        path + ": schema version " + std::to_string(from) + " is current; nothing to do",
        json{{"migrated", false}, {"schema_version", from}});
  }
  const std::string backup = args.no_backup        ? ""
                             : args.backup.empty() ? path + ".bak-" + std::to_string(from)
                                                   : args.backup;
  if (!out.quiet() && !out.is_json()) {
    std::cerr << path << ": schema version " << from << describe_version(from) << " -> " << to
              << "\n  migrations: " << pending_migrations(from)
              << "\n  the file switches to WAL journal mode and kv gains columns: older programs "
                 "(go-store) can read it but no longer write it"
              << "\n  backup: " << (backup.empty() ? "none (--no-backup)" : backup)
              << " (written first, with SQLite's backup API)\n";
  }
  require_confirmation("migrate", "migrate " + path + " to schema version " + std::to_string(to),
                       args.yes);
  if (!backup.empty()) kvstore::backup_database(path, backup);
  const int now = Database(path, Access::migrate, "").store().stats().schema_version;
  json result{{"migrated", true}, {"from", from}, {"to", now}};
  result["backup"] = backup.empty() ? json(nullptr) : json(backup);
  out.confirm("migrated " + path + " from schema version " + std::to_string(from) + " to " +
                  std::to_string(now) + (backup.empty() ? "" : "; the old file is in " + backup),
              result);
}

}  // namespace

void add_migrate_command(Registry& registry, const Context& context) {
  auto args = std::make_shared<MigrateArgs>();
  auto* command = registry.add(
      "migrate", "Upgrade a store of an older schema (go-store's, or an earlier kvstore's)",
      "kvstore migrate --db go.db   (asks first; a script adds --yes)",
      [&context, args] { migrate(context, *args); });
  auto* backup = command
                     ->add_option("--backup", args->backup,
                                  "Copy the file here first (default: <db>.bak-<version>)")
                     ->type_name("FILE");
  command->add_flag("--no-backup", args->no_backup, "Do not copy the file first")->excludes(backup);
  command->add_flag("-y,--yes", args->yes, "Do not ask (for scripts)");
}

}  // namespace kvcli
