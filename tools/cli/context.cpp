#include "context.hpp"

#include <cstdlib>

namespace kvcli {

void Context::add_options(CLI::App& app) {
  app.add_option("--db", options_.db, "Store file (default: $KVSTORE_DB, else ./kvstore.db)")
      ->type_name("PATH");
  // Empty is refused, not taken as "no namespace": a script's unset variable must not escape the
  // tenant and reach the whole store.
  app.add_option("--namespace", options_.ns,
                 "Work inside namespace NS (groups are read as NS:group)")
      ->type_name("NS")
      ->check(CLI::Validator(
          [](const std::string& ns) -> std::string {
            return ns.empty() ? "must not be empty (omit --namespace for the whole store)" : "";
          },
          ""));
  app.add_flag("--json", options_.json, "Machine-readable JSON output (docs/cli.md)");
  app.add_flag("-q,--quiet", options_.quiet, "No confirmations or progress, only results");
}

std::string Context::db_path() const {
  if (!options_.db.empty()) return options_.db;
  if (const char* env = std::getenv("KVSTORE_DB"); env && *env) return env;
  return kDefaultDatabase;
}

std::unique_ptr<Database> Context::open(Access access,
                                        std::chrono::milliseconds external_poll) const {
  return std::make_unique<Database>(db_path(), access, options_.ns, external_poll);
}

}  // namespace kvcli
