// The Watcher and Subscription handles: thin owners of shared state in the EventHub.
#include "events/hub.hpp"
#include "kvstore/events.hpp"
#include "util/deadline.hpp"

namespace kvstore {

Watcher::Watcher(std::shared_ptr<detail::WatcherState> state, std::weak_ptr<detail::EventHub> hub)
    : state_(std::move(state)), hub_(std::move(hub)) {}

Watcher::Watcher(Watcher&&) noexcept = default;

Watcher& Watcher::operator=(Watcher&& other) noexcept {
  if (this != &other) {
    unwatch();
    state_ = std::move(other.state_);
    hub_ = std::move(other.hub_);
  }
  return *this;
}

Watcher::~Watcher() { unwatch(); }

std::optional<Event> Watcher::next(std::chrono::milliseconds timeout) {
  if (!state_) return std::nullopt;
  return state_->pop(detail::saturating_deadline(std::chrono::steady_clock::now(), timeout));
}

std::optional<Event> Watcher::try_next() {
  if (!state_) return std::nullopt;
  return state_->pop(std::nullopt);
}

void Watcher::unwatch() {
  if (!state_) return;
  state_->close();
  if (auto hub = hub_.lock()) hub->remove_watcher(state_);
}

bool Watcher::closed() const { return !state_ || state_->is_closed(); }

std::uint64_t Watcher::dropped() const { return state_ ? state_->dropped_count() : 0; }

Subscription::Subscription(std::shared_ptr<detail::CallbackSlot> slot,
                           std::weak_ptr<detail::EventHub> hub)
    : slot_(std::move(slot)), hub_(std::move(hub)) {}

Subscription::Subscription(Subscription&&) noexcept = default;

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    unsubscribe();
    slot_ = std::move(other.slot_);
    hub_ = std::move(other.hub_);
  }
  return *this;
}

Subscription::~Subscription() { unsubscribe(); }

void Subscription::unsubscribe() noexcept {
  if (!slot_) return;
  if (auto hub = hub_.lock()) {
    hub->remove_callback(slot_);
  } else {
    slot_->deactivate();
  }
}

}  // namespace kvstore
