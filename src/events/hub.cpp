#include "events/hub.hpp"

#include <algorithm>

namespace kvstore::detail {
namespace {

// How deep the current thread is inside deliver(): a publish from a callback must not wait.
thread_local int delivery_depth = 0;

struct DeliveryDepth {
  DeliveryDepth() { ++delivery_depth; }
  ~DeliveryDepth() { --delivery_depth; }
};

// "ns:" of "ns:group", or empty when the group has no namespace.
std::string_view namespace_prefix(std::string_view group) {
  const auto colon = group.find(':');
  return colon == std::string_view::npos ? std::string_view() : group.substr(0, colon + 1);
}

// Ends a call that try_begin_call() started, also when the callback throws.
struct CallInProgress {
  CallbackSlot& slot;
  ~CallInProgress() { slot.end_call(); }
};

}  // namespace

bool CallbackSlot::try_begin_call() noexcept {
  std::lock_guard lock(mutex_);
  if (!active_) return false;
  running_on_ = std::this_thread::get_id();
  return true;
}

void CallbackSlot::end_call() noexcept {
  {
    std::lock_guard lock(mutex_);
    running_on_ = std::thread::id();
  }
  call_ended_.notify_all();
}

void CallbackSlot::deactivate() noexcept {
  std::unique_lock lock(mutex_);
  active_ = false;
  const auto self = std::this_thread::get_id();
  call_ended_.wait(lock, [&] { return running_on_ == std::thread::id() || running_on_ == self; });
}

EventHub::WatcherList& EventHub::list_for(const WatchFilter& filter) {
  switch (filter.scope) {
    case WatchFilter::Scope::group:
      return by_group_[filter.group];
    case WatchFilter::Scope::namespace_groups:
      return by_namespace_[filter.group];
    case WatchFilter::Scope::all_groups:
      break;
  }
  return all_groups_;
}

void EventHub::add_watcher(const std::shared_ptr<WatcherState>& watcher) {
  std::unique_lock lock(registry_mutex_);
  list_for(watcher->filter).push_back(watcher);
  ++subscribers_;
}

void EventHub::remove_watcher(const std::shared_ptr<WatcherState>& watcher) noexcept {
  std::unique_lock lock(registry_mutex_);
  const auto& filter = watcher->filter;
  WatcherList* list = &all_groups_;
  WatcherIndex* index = nullptr;
  if (filter.scope != WatchFilter::Scope::all_groups) {
    index = filter.scope == WatchFilter::Scope::group ? &by_group_ : &by_namespace_;
    const auto found = index->find(filter.group);  // not list_for: it may allocate
    if (found == index->end()) return;
    list = &found->second;
  }
  const auto it = std::find(list->begin(), list->end(), watcher);
  if (it == list->end()) return;
  list->erase(it);
  --subscribers_;
  if (list->empty() && index) index->erase(filter.group);
}

std::shared_ptr<CallbackSlot> EventHub::add_callback(std::function<void(const Event&)> fn) {
  auto slot = std::make_shared<CallbackSlot>(std::move(fn));
  std::unique_lock lock(registry_mutex_);
  auto copy = std::make_shared<CallbackList>(*callbacks_);
  copy->push_back(slot);
  callbacks_ = std::move(copy);
  ++subscribers_;
  return slot;
}

void EventHub::remove_callback(const std::shared_ptr<CallbackSlot>& slot) noexcept {
  slot->deactivate();  // outside registry_mutex_: the running callback may register or remove
  std::unique_lock lock(registry_mutex_);
  const auto it = std::find(callbacks_->begin(), callbacks_->end(), slot);
  if (it == callbacks_->end()) return;
  try {
    auto copy = std::make_shared<CallbackList>(*callbacks_);
    copy->erase(copy->begin() + (it - callbacks_->begin()));
    callbacks_ = std::move(copy);
    --subscribers_;
  } catch (const std::bad_alloc&) {
    // Out of memory: the slot stays listed, inactive, and delivery skips it.
  }
}

void EventHub::publish(std::uint64_t turn, BatchNode batch) noexcept {
  std::unique_lock lock(order_mutex_);
  if (delivery_depth > 0 && serving_ != turn) {
    batch.key() = turn;
    queued_.insert(std::move(batch));
    return;
  }
  turn_ended_.wait(lock, [&] { return serving_ == turn; });
  for (;;) {
    lock.unlock();
    deliver(batch.mapped());
    lock.lock();
    const auto next = queued_.find(++serving_);
    if (next == queued_.end()) break;
    batch = queued_.extract(next);
  }
  lock.unlock();
  turn_ended_.notify_all();
}

void EventHub::offer_to_watchers(const Event& event) {
  std::shared_lock lock(registry_mutex_);
  const auto offer_matching = [&](const WatcherList& list) {
    for (const auto& watcher : list) {
      if (watcher->filter.matches(event)) watcher->offer(event);
    }
  };
  if (event.type == EventType::gap) {  // it may hide a change to any group: every watcher
    for (const auto* index : {&by_group_, &by_namespace_}) {
      for (const auto& [name, list] : *index) offer_matching(list);
    }
    offer_matching(all_groups_);
    return;
  }
  if (const auto it = by_group_.find(event.group); it != by_group_.end())
    offer_matching(it->second);
  if (const auto ns = namespace_prefix(event.group); !ns.empty()) {
    if (const auto it = by_namespace_.find(ns); it != by_namespace_.end()) {
      offer_matching(it->second);
    }
  }
  offer_matching(all_groups_);
}

void EventHub::deliver(const std::vector<Event>& batch) {
  DeliveryDepth depth;
  std::shared_ptr<const CallbackList> callbacks;
  {
    std::shared_lock lock(registry_mutex_);
    callbacks = callbacks_;
  }
  for (const Event& event : batch) {
    offer_to_watchers(event);
    for (const auto& slot : *callbacks) {
      if (!slot->try_begin_call()) continue;
      CallInProgress call{*slot};
      try {
        slot->fn(event);
      } catch (const std::exception& e) {
        report_quietly(
            [&] { return std::string("kvstore: on_change callback threw: ") + e.what(); });
      } catch (...) {
        report_quietly([] { return "kvstore: on_change callback threw a non-standard exception"; });
      }
    }
  }
}

void EventHub::close_all() noexcept {
  std::shared_ptr<const CallbackList> callbacks;
  {
    std::unique_lock lock(registry_mutex_);
    for (auto* index : {&by_group_, &by_namespace_}) {
      for (auto& [name, list] : *index) {
        for (auto& watcher : list) watcher->close();
      }
      index->clear();
    }
    for (auto& watcher : all_groups_) watcher->close();
    all_groups_.clear();
    callbacks = callbacks_;  // left listed (replacing the list would allocate): all inactive
    subscribers_ = 0;
  }
  for (const auto& slot : *callbacks) slot->deactivate();
}

}  // namespace kvstore::detail
