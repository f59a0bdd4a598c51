// The schema's public facts and the backup taken before a migration (kvstore/schema.hpp).
#include "kvstore/schema.hpp"

#include "storage/backup.hpp"
#include "storage/embedded_migrations.hpp"
#include "storage/migrations.hpp"

namespace kvstore {

int latest_schema_version() { return detail::latest_schema_version(); }

std::vector<SchemaMigration> schema_migrations() {
  std::vector<SchemaMigration> migrations;
  for (const auto& migration : detail::embedded_migrations()) {
    // "0002_revisions" -> "revisions": the version is a field of its own.
    const auto name = migration.name.substr(migration.name.find('_') + 1);
    migrations.push_back({migration.version, std::string(name)});
  }
  return migrations;
}

void backup_database(const std::string& path, const std::string& destination) {
  detail::copy_database(path, destination, detail::Operation::of("backup_database", path));
}

}  // namespace kvstore
