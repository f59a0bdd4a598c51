// The global options (--db, --namespace, -o/--output, --json, --wide, --quiet) and what commands
// derive from them.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "database.hpp"
#include "output.hpp"

namespace kvcli {

// The database used without --db and $KVSTORE_DB.
inline constexpr const char* kDefaultDatabase = "./kvstore.db";

struct GlobalOptions {
  std::string db;      // --db; empty: $KVSTORE_DB, else kDefaultDatabase
  std::string ns;      // --namespace; empty: the whole store
  std::string output;  // -o/--output: a format_names() entry; empty: table on a terminal, else tsv
  bool json = false;   // --json: -o json
  bool quiet = false;
  bool wide = false;
};

class Context {
 public:
  // Adds the global options to `app` (they are accepted before or after the subcommand).
  void add_options(CLI::App& app);

  // --db, else $KVSTORE_DB, else ./kvstore.db.
  std::string db_path() const;
  std::unique_ptr<Database> open(
      Access access, std::chrono::milliseconds external_poll = std::chrono::milliseconds(0)) const;
  Output output() const {
    return Output(pick_format(options_.output, options_.json), options_.quiet, options_.wide);
  }
  const GlobalOptions& options() const { return options_; }

 private:
  GlobalOptions options_;
};

}  // namespace kvcli
