// kvstore: the command-line tool of the kvstore library (docs/cli.md). Inspect, edit, export,
// import and follow a store file.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "completion.hpp"
#include "context.hpp"
#include "error_report.hpp"
#include "registry.hpp"
#include "usage_error.hpp"
#include "utf8.hpp"

#ifndef KVSTORE_VERSION
#error "KVSTORE_VERSION must be defined by the build (tools/CMakeLists.txt)"
#endif

namespace {

constexpr const char* kFooter =
    "The store is --db PATH, else $KVSTORE_DB, else ./kvstore.db. Read commands (get groups keys\n"
    "count ttl export stats check render watch) never create or change it.\n"
    "Exit codes: 0 ok, 1 key or group not found, 2 usage error, 3 store error.\n"
    "Example:\n  kvstore set config theme dark && kvstore get config theme\n";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kvstore: inspect, edit, export, import and follow a kvstore store file", "kvstore"};
  app.set_version_flag("--version", "kvstore " KVSTORE_VERSION);
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();  // inherited by the subcommands: global options may follow the subcommand

  kvcli::Context context;
  context.add_options(app);
  kvcli::Registry registry(app);
  kvcli::add_read_commands(registry, context);
  kvcli::add_write_commands(registry, context);
  kvcli::add_transfer_commands(registry, context);
  kvcli::add_watch_command(registry, context);
  kvcli::add_maintenance_commands(registry, context);
  kvcli::add_migrate_command(registry, context);
  kvcli::add_completion_command(registry, app);

  if (argc <= 1) {  // what a newcomer types first: show what there is, as --help does
    std::cout << app.help();
    return 0;
  }
  const std::vector<std::string> arguments = kvcli::utf8_arguments(argc, argv);
  std::vector<const char*> pointers;
  for (const auto& argument : arguments) pointers.push_back(argument.c_str());
  try {
    app.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    const auto usage = kvcli::describe_usage_error(
        app, std::vector<std::string>(arguments.begin() + 1, arguments.end()), error);
    kvcli::report_error(usage.command, usage.message);
    return static_cast<int>(kvcli::ExitCode::usage);
  }
  return static_cast<int>(
      kvcli::run_reporting_errors(registry.chosen_name(), [&] { registry.run_chosen(); }));
}
