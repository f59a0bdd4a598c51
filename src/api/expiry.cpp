// A key's expiry on its own: expire, persist and ttl, and keys (a group's names without values).
#include "core/store_impl.hpp"
#include "kvstore/store.hpp"
#include "util/ttl.hpp"
#include "util/unix_time.hpp"

namespace kvstore {

using detail::Operation;

bool Store::expire(std::string_view group, std::string_view key, std::chrono::milliseconds ttl) {
  const auto op = Operation::of("expire", group, key);
  detail::require_positive_ttl(op, ttl);
  return impl().write(op, [&](detail::HeldStore& held) {
    const auto now = detail::now_unix_ms();
    return held.retime(group, key, detail::expiry_after(now, ttl), now);
  });
}

bool Store::persist(std::string_view group, std::string_view key) {
  return impl().write(Operation::of("persist", group, key), [&](detail::HeldStore& held) {
    return held.retime(group, key, std::nullopt, detail::now_unix_ms());
  });
}

std::optional<TimeToLive> Store::ttl(std::string_view group, std::string_view key) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(
      Operation::of("ttl", group, key), [&](detail::HeldStore& held) -> std::optional<TimeToLive> {
        const auto row = held.kv().metadata(group, key, /*with_value=*/false);
        if (!row) return std::nullopt;
        if (!row->expires_at) return TimeToLive{};
        if (*row->expires_at > now) {
          return TimeToLive{std::chrono::milliseconds(*row->expires_at - now)};
        }
        held.expire_row(group, key, now);
        return std::nullopt;
      });
}

std::vector<std::string> Store::keys(std::string_view group) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(Operation::of("keys", group), [&](detail::HeldStore& held) {
    std::vector<std::string> names;
    held.kv().live_page(group, {}, now, -1,
                        [&](std::string_view name, std::string_view, std::optional<std::int64_t>) {
                          names.emplace_back(name);
                        });
    return names;
  });
}

}  // namespace kvstore
