#include "history.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace history {
namespace {

std::string process_path(const std::string& directory, int process) {
  return directory + "/p" + std::to_string(process) + ".history";
}

void add(History& history, Line line) {
  if (line.tag == Line::Tag::options) {
    history.processes[line.process].polls = line.polls;
    history.processes[line.process].options = std::move(line.text);
  } else if (line.tag == Line::Tag::subscribed) {
    history.processes[line.process].subscribed = line.count;
  } else if (line.tag == Line::Tag::call) {
    history.calls.push_back(std::move(line.call));
  } else if (line.tag == Line::Tag::quota || line.tag == Line::Tag::sample) {
    throw std::runtime_error("a quota line in a process history");
  }
}

void add(ProcessLog& log, Line line) {
  switch (line.tag) {
    case Line::Tag::delivered:
      log.delivered.push_back(std::move(line.change));
      return;
    case Line::Tag::watcher:
      log.watchers[line.watcher].group = line.text;
      log.watchers[line.watcher].since = line.count;
      return;
    case Line::Tag::watched:
    case Line::Tag::compacted:
      log.watchers[line.watcher].lines.push_back(std::move(line));
      return;
    default:
      return;
  }
}

void add_parent(History& history, const Line& line) {
  if (line.tag == Line::Tag::quota) {
    history.max_keys = line.limit;
    history.samples = line.count;
  } else if (line.tag == Line::Tag::sample) {
    history.over_quota.push_back(line);
  } else {
    throw std::runtime_error("a process line in the parent's history");
  }
}

template <class Add>
void read_lines(const std::string& path, Add&& add_line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string text;
  while (std::getline(in, text)) add_line(parse(text));
}

}  // namespace

History load_history(const std::string& directory, int processes) {
  History history;
  history.directory = directory;
  for (int p = 0; p < processes; ++p) {
    read_lines(process_path(directory, p), [&](Line line) { add(history, std::move(line)); });
  }
  read_lines(directory + "/parent.history", [&](const Line& line) { add_parent(history, line); });
  return history;
}

ProcessLog load_process_log(const std::string& directory, int process) {
  ProcessLog log;
  read_lines(process_path(directory, process), [&](Line line) { add(log, std::move(line)); });
  return log;
}

int count_process_histories(const std::string& directory) {
  int count = 0;
  while (std::filesystem::exists(process_path(directory, count))) ++count;
  return count;
}

}  // namespace history
