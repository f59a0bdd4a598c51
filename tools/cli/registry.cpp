#include "registry.hpp"

namespace kvcli {

CLI::App* Registry::add(const std::string& name, const std::string& description,
                        const std::string& example, std::function<void()> run) {
  CLI::App* command = app_.add_subcommand(name, description);
  command->footer("Example:\n  " + example + "\n");
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
