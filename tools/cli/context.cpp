#include "context.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace kvcli {

void Context::add_options(CLI::App& app) {
  // Empty is refused: "--db $UNSET" must not fall back to ./kvstore.db and create it.
  app.add_option("--db", options_.db, "Store file (default: $KVSTORE_DB, else ./kvstore.db)")
      ->type_name("PATH")
      ->check(CLI::Validator(
          [](const std::string& path) -> std::string {
            return path.empty() ? "must not be empty (omit --db for $KVSTORE_DB or ./kvstore.db)"
                                : "";
          },
          ""));
  // Empty is refused, not taken as "no namespace": a script's unset variable must not escape the
  // tenant and reach the whole store.
  app.add_option("--namespace", options_.ns,
                 "Work inside namespace NS (groups are read as NS:group)")
      ->type_name("NS")
      ->check(CLI::Validator(
          [](const std::string& ns) -> std::string {
            if (ns.empty()) return "must not be empty (omit --namespace for the whole store)";
            const bool valid = std::all_of(
                ns.begin(), ns.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
            return valid ? "" : "'" + ns + "' is not a namespace: letters, digits and '-' only";
          },
          ""));
  app.add_option("-o,--output", options_.output,
                 "Output format: table (default on a terminal), tsv (default otherwise), json, "
                 "jsonl")
      ->type_name("FORMAT")
      ->check(CLI::IsMember(format_names()));
  app.add_flag("--json", options_.json, "Same as -o json: one JSON document (docs/cli.md)");
  app.add_flag("--wide", options_.wide, "Tables show long values whole instead of cutting them");
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
