// The subcommands, and the action each runs once the command line is parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace kvcli {

class Registry {
 public:
  explicit Registry(CLI::App& app) : app_(app) {}

  // Adds subcommand `name`; its --help ends with "Example:" and `example`. `run` is called after
  // parsing if this subcommand was chosen (it reads the options the caller binds to the result).
  CLI::App* add(const std::string& name, const std::string& description, const std::string& example,
                std::function<void()> run);

  // The chosen subcommand's name ("" if none) and action.
  std::string chosen_name() const;
  void run_chosen() const;

 private:
  struct Command {
    CLI::App* app;
    std::function<void()> run;
  };
  CLI::App& app_;
  std::vector<Command> commands_;
};

}  // namespace kvcli
