// export and import: the whole store (or a group, a prefix, a namespace) as a JSON document
// (export_format.hpp); export then import into a new file gives an identical store.
#include <iostream>
#include <memory>
#include <optional>

#include "atomic_file.hpp"
#include "command_support.hpp"
#include "commands.hpp"
#include "export_format.hpp"
#include "input.hpp"
#include "progress.hpp"

namespace kvcli {
namespace {

using nlohmann::json;

struct ExportArgs {
  std::string group, prefix;  // at most one: a single group, or the groups with this prefix
  std::string output;         // -o: a file; empty or "-": stdout
};

// The groups to export; throws group_not_found for a --group that holds no key.
template <class Scope>
std::vector<std::string> groups_to_export(Scope& scope, const ExportArgs& args) {
  if (args.group.empty()) return scope.groups(args.prefix);
  if (scope.count(args.group) == 0) throw group_not_found(args.group);
  return {args.group};
}

// Writes every live entry of `groups`. Not a snapshot: the store is read group by group, and
// keys that expire or change meanwhile are written as they are then.
template <class Scope>
void export_entries(Scope& scope, const std::vector<std::string>& groups, ExportWriter& writer) {
  for (const auto& group : groups) {
    scope.for_each(group, [&](std::string_view key, std::string_view value) {
      if (const auto meta = scope.stat(group, key)) {  // nullopt: expired since the walk read it
        writer.add({group, std::string(key), std::string(value), meta->expires_at});
      }
      return true;
    });
  }
}

void add_export(Registry& registry, const Context& context) {
  auto args = std::make_shared<ExportArgs>();
  auto* command = registry.add(
      "export", "Write the store (or a group, or groups by prefix) as JSON",
      "kvstore export --prefix app -o backup.json", [&context, args] {
        auto db = context.open(Access::read_only);
        const auto groups =
            db->with_scope([&](auto& scope) { return groups_to_export(scope, *args); });
        const bool to_file = !args->output.empty() && args->output != "-";
        std::optional<AtomicFile> file;
        if (to_file) file.emplace(args->output);
        std::ostream& out = to_file ? file->stream() : std::cout;
        ExportWriter writer(out);
        db->with_scope([&](auto& scope) { export_entries(scope, groups, writer); });
        writer.finish();
        if (!to_file) return;
        file->commit();
        context.output().confirm(
            "exported " + std::to_string(writer.count()) + " entries to " + args->output,
            json{{"exported", writer.count()}, {"file", args->output}});
      });
  auto* group = command->add_option("--group", args->group, "Only this group")->type_name("G");
  command->add_option("--prefix", args->prefix, "Only the groups starting with P")
      ->type_name("P")
      ->excludes(group);
  command->add_option("-o,--output", args->output, "Write to FILE instead of stdout")
      ->type_name("FILE");
}

struct ImportCounts {
  std::size_t imported = 0, expired = 0;  // expired: skipped, their expiry time has passed
};

// Stores the entries in one transaction: all or nothing. A TTL becomes the time left.
template <class Scope>
ImportCounts import_entries(Scope& scope, const std::vector<Entry>& entries, Progress& progress) {
  ImportCounts counts;
  scope.transaction([&](auto& tx) {
    counts = {};
    for (const auto& entry : entries) {
      progress.advance();
      if (!entry.expires_at) {
        tx.set(entry.group, entry.key, entry.value);
        ++counts.imported;
        continue;
      }
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(*entry.expires_at - Clock::now());
      if (left.count() <= 0) {
        ++counts.expired;
        continue;
      }
      tx.set_with_ttl(entry.group, entry.key, entry.value, left);
      ++counts.imported;
    }
  });
  return counts;
}

void add_import(Registry& registry, const Context& context) {
  auto path = std::make_shared<std::string>();
  auto* command = registry.add(
      "import", "Store the entries of an export document, in one transaction",
      "kvstore import backup.json   or   kvstore export | kvstore --db copy.db import -",
      [&context, path] {
        // Read and checked whole before the store is opened: a bad file changes nothing.
        const auto entries = read_export(read_input(*path), *path == "-" ? "stdin" : *path);
        auto db = context.open(Access::write_create);
        const auto counts = db->with_scope([&](auto& scope) {
          Progress progress("importing", entries.size(), !context.options().quiet);
          return import_entries(scope, entries, progress);
        });  // the bar is erased before the confirmation is printed
        context.output().confirm(
            "imported " + std::to_string(counts.imported) + " entries" +
                (counts.expired ? " (skipped " + std::to_string(counts.expired) + " expired)" : ""),
            json{{"imported", counts.imported}, {"skipped_expired", counts.expired}});
      });
  command->add_option("file", *path, "Export document (- for stdin)")->required();
}

}  // namespace

void add_transfer_commands(Registry& registry, const Context& context) {
  add_export(registry, context);
  add_import(registry, context);
}

}  // namespace kvcli
