#include "registry.hpp"

#include <algorithm>

namespace kvcli {
namespace {

// The tool's own options, which every command accepts (fallthrough), for each command's --help:
// CLI11 lists only the command's own.
std::string global_options(const CLI::App& app) {
  std::string text = "Global options (before or after the command):\n";
  for (const CLI::Option* option : app.get_options()) {
    if (option == app.get_help_ptr() || option == app.get_version_ptr()) continue;
    std::string name = option->get_name(false, true);
    if (option->get_type_size() > 0) name += " " + option->get_type_name();
    name.resize(std::max<std::size_t>(name.size() + 2, 28), ' ');
    text += "  " + name + option->get_description() + "\n";
  }
  return text;
}

}  // namespace

CLI::App* Registry::add(const std::string& name, const std::string& description,
                        const std::string& example, std::function<void()> run) {
  CLI::App* command = app_.add_subcommand(name, description);
  command->footer(global_options(app_) + "\nExample:\n  " + example + "\n");
  commands_.push_back({command, std::move(run)});
  return command;
}

std::string Registry::chosen_name() const {
  for (const auto& command : commands_) {
    if (command.app->parsed()) return command.app->get_name();
  }
  return "";
}

void Registry::run_chosen() const {
  for (const auto& command : commands_) {
    if (command.app->parsed()) return command.run();
  }
}

}  // namespace kvcli
