// Maintenance of the whole file (whatever --namespace says): stats, check, checkpoint, vacuum.
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

// Migration 0002 added the change log: before it, a file has no revisions.
constexpr int kFirstWithChangeLog = 2;

// The stats fields, in the order people read them.
std::vector<std::pair<std::string, json>> stats_fields(const std::string& path,
                                                       const kvstore::StoreStats& stats) {
  // An older schema is read as it is (docs/cli.md): say what that means where people look.
  const int version = stats.schema_version;
  const std::string schema =
      version >= kvstore::latest_schema_version()
          ? "current"
          : "older" + describe_version(version) + ", read as it is" +
                (version < kFirstWithChangeLog ? ": no revisions or change log" : "") +
                "; kvstore migrate upgrades it";
  return {{"path", path},
          {"schema_version", stats.schema_version},
          {"schema", schema},
          {"journal_mode", stats.journal_mode},
          {"page_size", stats.page_size},
          {"page_count", stats.page_count},
          {"free_pages", stats.free_pages},
          {"file_bytes", stats.file_bytes},
          {"wal_bytes", stats.wal_bytes},
          {"groups", stats.groups},
          {"keys", stats.keys},
          {"expiring_keys", stats.expiring_keys},
          {"revision", stats.revision},
          {"change_log_entries", stats.change_log_entries}};
}

void add_stats(Registry& registry, const Context& context) {
  registry.add("stats", "Show the store's size and shape", "kvstore stats", [&context] {
    auto db = context.open(Access::read_only);
    const auto fields = stats_fields(db->path(), db->store().stats());
    const auto out = context.output();
    json object = json::object();
    std::vector<Row> rows;
    for (const auto& [field, value] : fields) {
      object[field] = value;
      rows.push_back({field, value.is_string() ? value.get<std::string>() : value.dump()});
    }
    out.is_json() ? out.json(object) : out.table({"FIELD", "VALUE"}, rows);
  });
}

void add_check(Registry& registry, const Context& context) {
  registry.add("check", "Check the file's integrity and schema; exit 3 on a problem",
               "kvstore check", [&context] {
                 auto db = context.open(Access::read_only);
                 const auto problems = db->store().check();
                 const auto out = context.output();
                 if (out.is_json()) {
                   out.json({{"ok", problems.empty()}, {"problems", problems}});
                 } else if (problems.empty()) {
                   if (!out.quiet()) out.text("ok");
                 } else {
                   for (const auto& problem : problems) out.text(problem);
                 }
                 if (!problems.empty()) {
                   throw CliError(ExitCode::store_error,
                                  db->path() + ": " + std::to_string(problems.size()) +
                                      " problem(s) found: " + problems.front());
                 }
               });
}

void add_checkpoint(Registry& registry, const Context& context) {
  registry.add("checkpoint", "Copy the write-ahead log into the file and truncate it",
               "kvstore checkpoint", [&context] {
                 auto db = context.open(Access::write_existing);
                 db->store().checkpoint();
                 const auto wal = db->store().stats().wal_bytes;
                 context.output().confirm(
                     "checkpointed (WAL now " + std::to_string(wal) + " bytes)",
                     json{{"checkpoint", "done"}, {"wal_bytes", wal}});
               });
}

void add_vacuum(Registry& registry, const Context& context) {
  registry.add("vacuum", "Rebuild the file to reclaim free pages", "kvstore vacuum", [&context] {
    auto db = context.open(Access::write_existing);
    const auto before = db->store().stats().file_bytes;
    db->store().vacuum();
    try {
      db->store().checkpoint();  // in WAL mode the file shrinks once the WAL is copied back
    } catch (const kvstore::Busy&) {
      // Another process is reading: the file shrinks at a later checkpoint.
    }
    const auto after = db->store().stats().file_bytes;
    context.output().confirm(
        "vacuumed: " + std::to_string(before) + " -> " + std::to_string(after) + " bytes",
        json{{"vacuum", "done"}, {"file_bytes_before", before}, {"file_bytes_after", after}});
  });
}

}  // namespace

void add_maintenance_commands(Registry& registry, const Context& context) {
  add_stats(registry, context);
  add_check(registry, context);
  add_checkpoint(registry, context);
  add_vacuum(registry, context);
}

}  // namespace kvcli
