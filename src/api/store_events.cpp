// Store's event and change-feed methods.
#include "core/store_impl.hpp"
#include "kvstore/store.hpp"

namespace kvstore {

using detail::Operation;
using detail::WatchFilter;

namespace {

WatchFilter filter_for(std::string_view group, std::string_view key) {
  WatchFilter filter;
  filter.scope =
      group == WatchFilter::kWildcard ? WatchFilter::Scope::all_groups : WatchFilter::Scope::group;
  filter.group = filter.scope == WatchFilter::Scope::group ? std::string(group) : std::string();
  filter.key = std::string(key);
  return filter;
}

bool in_scope(const WatchFilter& filter, const Event& event) {
  switch (filter.scope) {
    case WatchFilter::Scope::group:
      return event.group == filter.group;
    case WatchFilter::Scope::namespace_groups:
      return event.group.starts_with(filter.group);
    case WatchFilter::Scope::all_groups:
      break;
  }
  return true;
}

}  // namespace

Watcher Store::watch(std::string_view group, std::string_view key,
                     std::optional<std::uint64_t> from_revision, std::size_t capacity) {
  return detail::guarded(Operation::of("watch", group, key), [&] {
    return watch_filtered(filter_for(group, key), from_revision, capacity);
  });
}

Watcher Store::watch_filtered(detail::WatchFilter filter,
                              std::optional<std::uint64_t> from_revision, std::size_t capacity) {
  const auto op = Operation::of("watch", filter.group, filter.key);
  if (capacity == 0) throw InvalidArgument(op.message("capacity must be at least 1"));
  impl().start_change_feed(op);  // before registering: a watcher that fails leaves nothing
  if (!from_revision) {
    return detail::guarded(op, [&] {
      auto state = std::make_shared<detail::WatcherState>(std::move(filter), capacity);
      impl().hub()->add_watcher(state);
      return Watcher(std::move(state), impl().hub());
    });
  }
  // Registering under the connection lock splits the changes exactly: those committed before
  // are in the log read here, those committed after reach the watcher live.
  auto state = detail::guarded(
      op, [&] { return std::make_shared<detail::WatcherState>(std::move(filter), capacity); });
  return impl().with_connection(op, [&](detail::HeldStore& held) {
    std::deque<Event> replay;
    std::uint64_t through = *from_revision;
    for (Event& event : held.log().replay_after(*from_revision, op)) {
      through = event.revision;
      if (in_scope(state->filter, event) && state->filter.matches(event)) {
        replay.push_back(std::move(event));
      }
    }
    // The cutoff before registering: a batch still being published may reach the watcher as
    // soon as it is registered, and what it carries is already in the replay.
    state->replay(std::move(replay), through);
    impl().hub()->add_watcher(state);
    return Watcher(std::move(state), impl().hub());
  });
}

Subscription Store::on_change(std::function<void(const Event&)> fn) {
  const auto op = Operation::of("on_change");
  if (!fn) throw InvalidArgument(op.message("empty callback"));
  impl().start_change_feed(op);
  return detail::guarded(
      op, [&] { return Subscription(impl().hub()->add_callback(std::move(fn)), impl().hub()); });
}

std::vector<Event> Store::changes_since(std::uint64_t revision) const {
  const auto op = Operation::of("changes_since");
  return impl().with_connection(
      op, [&](detail::HeldStore& held) { return held.log().replay_after(revision, op); });
}

}  // namespace kvstore
