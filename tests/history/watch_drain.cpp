#include "watch_drain.hpp"

#include <algorithm>

namespace history {

using namespace std::chrono_literals;

WatchDrain::WatchDrain(kvstore::Store& store, Recorder& recorder, int id, std::string group,
                       std::size_t capacity, std::chrono::steady_clock::time_point deadline)
    : store_(store),
      recorder_(recorder),
      id_(id),
      group_(std::move(group)),
      capacity_(capacity),
      deadline_(deadline),
      watcher_(store.watch(group_, "*", std::nullopt, capacity)) {
  Line line;
  line.tag = Line::Tag::watcher;
  line.text = group_;
  // This Store's own commits up to here were published before the watcher existed.
  line.count = revision_now(store);
  log(std::move(line));
  thread_ = std::thread([this] { drain(); });
}

void WatchDrain::drain() {
  while (std::chrono::steady_clock::now() < deadline_) {
    if (const auto event = watcher_.next(20ms)) received(*event);
    // Checked after each event: an event dropped for a full queue is newer than some event
    // still queued, so the drop is seen before anything newer than it is taken.
    if (watcher_.dropped() > 0) watcher_ = resume();
  }
}

void WatchDrain::received(const kvstore::Event& event) {
  Line line;
  line.tag = Line::Tag::watched;
  line.change = Change::of(event);
  log(std::move(line));
  const auto after = event.type == kvstore::EventType::gap ? event.revision - 1 : event.revision;
  last_ = std::max(last_.value_or(0), after);
}

kvstore::Watcher WatchDrain::resume() {
  if (last_) {
    try {
      return store_.watch(group_, "*", last_, capacity_);
    } catch (const kvstore::Error& e) {
      Line line;
      line.tag = Line::Tag::compacted;
      line.text = type_name(typeid(e)) + ": " + e.what();
      log(std::move(line));
    }
  }
  return store_.watch(group_, "*", std::nullopt, capacity_);
}

void WatchDrain::log(Line line) {
  line.process = recorder_.process();
  line.watcher = id_;
  recorder_.log(line);
}

}  // namespace history
