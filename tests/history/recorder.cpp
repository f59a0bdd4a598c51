#include "recorder.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>

namespace history {
namespace {

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string type_name(const std::type_info& type) {
  int status = 0;
  const std::unique_ptr<char, FreeDeleter> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status));
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(type.name());
}

std::vector<Change>*& Recorder::capturing() {
  thread_local std::vector<Change>* list = nullptr;
  return list;
}

void Recorder::on_event(const kvstore::Event& event) {
  Line line;
  line.tag = Line::Tag::delivered;
  line.process = process_;
  line.change = Change::of(event);
  // Formatted before locking, but logged under the lock in delivery order: kvstore runs the
  // callbacks of one Store one at a time.
  log(line);
  if (event.external || event.type == kvstore::EventType::gap) return;
  if (auto* list = capturing()) {
    list->push_back(line.change);
    return;
  }
  Line background;
  background.call.process = process_;
  background.call.thread = -1;
  background.call.op = "background";
  background.call.start = started_;  // it may have begun any time since the process started
  background.call.end = now();
  background.call.changes.push_back(line.change);
  log(background);
}

std::uint64_t revision_now(kvstore::Store& store) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    try {
      return store.revision();
    } catch (const kvstore::Error&) {
    }
  }
  return std::numeric_limits<std::uint64_t>::max();
}

Recorder::Recorder(int process, const std::string& path)
    : process_(process),
      started_(now()),
      path_(path),
      out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw std::runtime_error("cannot create " + path);
}

void Recorder::log(const Line& line) {
  auto text = format(line);
  text += '\n';
  const std::lock_guard lock(mutex_);
  out_ << text;
}

void Recorder::close() {
  const std::lock_guard lock(mutex_);
  out_.close();
  if (!out_) throw std::runtime_error("cannot write " + path_);
}

}  // namespace history
