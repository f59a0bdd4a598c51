#include "usage_error.hpp"

#include <algorithm>
#include <optional>

namespace kvcli {
namespace {

// Edits (insert, delete, replace, swap two neighbours) from a to b: "--bd" is one from "--db".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t replace = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, replace});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::vector<const CLI::App*> commands_of(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

// Every name of the options `command` accepts: its own and, through fallthrough, the globals.
std::vector<std::string> option_names(const CLI::App& app, const CLI::App* command) {
  std::vector<std::string> names;
  for (const CLI::App* scope : {&app, command}) {
    if (!scope) continue;
    for (const CLI::Option* option : scope->get_options()) {
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
      for (const auto& name : option->get_snames()) names.push_back("-" + name);
    }
  }
  return names;
}

const CLI::Option* find_option(const CLI::App& app, const CLI::App* command,
                               const std::string& name) {
  if (command) {
    if (const auto* option = command->get_option_no_throw(name)) return option;
  }
  return app.get_option_no_throw(name);
}

std::string with_suggestion(const std::string& what, const std::string& word,
                            const std::vector<std::string>& candidates) {
  const auto suggestion = closest(word, candidates);
  return what + " '" + word + "'" +
         (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)");
}

struct Mistake {
  std::string message;
  const CLI::App* command;  // the command it was met in, if any
};

// The first unknown command or option in `args`, walking them as the parser does.
std::optional<Mistake> first_mistake(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* command = nullptr;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-') {
      const auto name = arg.substr(0, arg.find('='));
      const auto* option = find_option(app, command, name);
      if (!option) {
        return Mistake{with_suggestion("unknown option", name, option_names(app, command)),
                       command};
      }
      // Its value is the next argument, unless given as --name=value.
      if (option->get_type_size() > 0 && name.size() == arg.size()) ++i;
      continue;
    }
    if (command) continue;  // a positional of the command
    const auto commands = commands_of(app);
    const auto found = std::find_if(commands.begin(), commands.end(),
                                    [&](const CLI::App* c) { return c->check_name(arg); });
    if (found == commands.end()) {
      std::vector<std::string> names;
      for (const auto* c : commands) names.push_back(c->get_name());
      return Mistake{with_suggestion("unknown command", arg, names), nullptr};
    }
    command = *found;
  }
  return std::nullopt;
}

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 3;  // more than 2 edits is not a typo
  for (const auto& candidate : candidates) {
    const auto distance = edit_distance(word, candidate);
    if (distance < best_distance && distance * 2 < std::max(word.size(), candidate.size())) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

UsageError describe_usage_error(const CLI::App& app, const std::vector<std::string>& args,
                                const CLI::ParseError& error) {
  const auto mistake = first_mistake(app, args);
  const CLI::App* command = mistake ? mistake->command : nullptr;
  if (!mistake) {
    for (const auto* c : commands_of(app)) {
      if (c->parsed()) command = c;
    }
  }
  std::string message = mistake ? mistake->message : error.what();
  if (!mistake && !command && dynamic_cast<const CLI::RequiredError*>(&error)) {
    message = "no command given";
  }
  const std::string name = command ? command->get_name() : "";
  return {name, message + " (see kvstore " + (name.empty() ? "" : name + " ") + "--help)"};
}

}  // namespace kvcli
