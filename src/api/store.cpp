// Store's data methods: each opens the connection through Impl::with_connection or Impl::write,
// which serialize it, make it atomic and translate SQLite failures into kvstore errors.
#include "kvstore/store.hpp"

#include <filesystem>
#include <string>
#include <type_traits>

#include "core/namespace_counts.hpp"
#include "core/store_impl.hpp"
#include "storage/prefix_range.hpp"
#include "util/config_check.hpp"
#include "util/ttl.hpp"
#include "util/unix_time.hpp"
#include "util/utf8_path.hpp"

namespace kvstore {

using detail::Operation;

namespace {
// `path` in UTF-8.
// `path` as the native string it is on POSIX (no copy: nothing allocates outside guarded()).
std::shared_ptr<Store::Impl> open(const std::string& path, Options options) {
  if (path.empty()) throw InvalidArgument("kvstore: open: empty path (use \":memory:\")");
  if (options.read_only && path == ":memory:") {
    throw InvalidArgument(
        "kvstore: open :memory:: Options::read_only: a new :memory: store is empty and nothing "
        "else can write it, so it could never hold a key");
  }
  detail::require_not_negative("open", "Options::busy_timeout", options.busy_timeout);
  detail::require_not_negative("open", "Options::purge_interval", options.purge_interval);
  detail::require_not_negative("open", "Options::external_poll_interval",
                               options.external_poll_interval);
  return detail::guarded(Operation::of("open", path), [&] {
    auto impl = std::make_shared<Store::Impl>(path, std::move(options));
    impl->finish_opening();
    return impl;
  });
}

// The path as SQLite and the platform layer take it (UTF-8). On POSIX that is the native string
// itself, passed without a copy so that nothing allocates outside guarded(); Windows paths are
// UTF-16 and converted.
std::shared_ptr<Store::Impl> open(const std::filesystem::path& path, Options options) {
  if constexpr (std::is_same_v<std::filesystem::path::string_type, std::string>) {
    return open(path.native(), std::move(options));
  } else {
    std::string utf8;
    try {
      utf8 = detail::utf8_of(path);
    } catch (const std::bad_alloc&) {
      detail::throw_out_of_memory(Operation::of("open", ""));
    } catch (const std::system_error&) {  // an unpaired UTF-16 surrogate
      throw InvalidArgument("kvstore: open: the path is not valid Unicode");
    }
    return open(utf8, std::move(options));
  }
}

// for_each reads this many rows per lock hold.
constexpr int kForEachPage = 256;

// Visits group page by page, reading each page under the lock and calling fn without it.
void for_each_page(Store::Impl& impl, const Operation& op, std::string_view group,
                   const std::function<bool(std::string_view, std::string_view)>& fn) {
  const auto now = detail::now_unix_ms();
  std::string from;  // the smallest key not yet visited
  for (;;) {
    struct Row {
      std::string key;
      std::optional<std::string> value;  // nullopt: a streamed value gone since its row was read
      std::optional<std::int64_t> blob;
    };
    std::vector<Row> page;
    impl.with_connection(op, [&](detail::HeldStore& held) {
      held.kv().live_page(
          group, from, now, kForEachPage,
          [&](std::string_view key, std::string_view value, std::optional<std::int64_t> blob) {
            page.push_back(
                {std::string(key), blob ? std::nullopt : std::optional<std::string>(value), blob});
          });
      for (Row& row : page) {
        if (row.blob) row.value = held.streamed_value_of(group, row.key, *row.blob, now);
      }
    });
    for (const Row& row : page) {
      if (!row.value) continue;
      bool go_on = false;
      detail::run_callers_code([&] { go_on = fn(row.key, *row.value); });
      if (!go_on) return;
    }
    if (page.size() < static_cast<std::size_t>(kForEachPage)) return;
    from = page.back().key + '\0';  // the immediate successor of the last key visited
  }
}

}  // namespace

Store::Store(const std::filesystem::path& path, Options options)
    : impl_(open(path, std::move(options))) {}

Store::~Store() = default;
Store::Store(Store&& other) noexcept = default;
Store& Store::operator=(Store&& other) noexcept = default;

Store::Impl& Store::impl() const {
  if (!impl_) throw Error("kvstore: this Store was moved from: it holds no database");
  return *impl_;
}

std::optional<std::string> Store::get(std::string_view group, std::string_view key) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(
      Operation::of("get", group, key), [&](detail::HeldStore& held) -> std::optional<std::string> {
        auto stored = held.kv().find(group, key, now);
        if (!stored) return std::nullopt;
        if (stored->live) {
          if (!stored->blob_id) return std::move(stored->value);
          return held.streamed_value_of(group, key, *stored->blob_id, now);
        }
        held.expire_row(group, key, now);
        return std::nullopt;
      });
}

void Store::set(std::string_view group, std::string_view key, std::string_view value) {
  impl().write_put(Operation::of("set", group, key), group, [&](detail::HeldStore& held) {
    held.put(group, key, {value, std::nullopt}, value, detail::now_unix_ms());
  });
}

void Store::set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                         std::chrono::milliseconds ttl) {
  const auto op = Operation::of("set_with_ttl", group, key);
  detail::require_positive_ttl(op, ttl);
  impl().write_put(op, group, [&](detail::HeldStore& held) {
    const auto now = detail::now_unix_ms();
    held.put(group, key, {value, detail::expiry_after(now, ttl)}, value, now);
  });
}

bool Store::erase(std::string_view group, std::string_view key) {
  return impl().write(Operation::of("erase", group, key), [&](detail::HeldStore& held) {
    return held.remove_row(group, key, detail::now_unix_ms()).value_or(false);
  });
}

std::size_t Store::delete_group(std::string_view group) {
  return impl().write(Operation::of("delete_group", group), [&](detail::HeldStore& held) {
    return held.remove_group(group, detail::now_unix_ms());
  });
}

std::size_t Store::delete_prefix(std::string_view group_prefix) {
  return impl().write(Operation::of("delete_prefix", group_prefix), [&](detail::HeldStore& held) {
    const auto now = detail::now_unix_ms();
    const auto groups = held.kv().groups_in_range(detail::PrefixRange::of(group_prefix));
    std::size_t removed = 0;
    for (const auto& group : groups) removed += held.remove_group(group, now);
    return removed;
  });
}

std::map<std::string, std::string> Store::get_all(std::string_view group) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(Operation::of("get_all", group), [&](detail::HeldStore& held) {
    std::map<std::string, std::string> all;
    std::vector<std::pair<std::string, std::int64_t>> streamed;  // read once the rows are
    held.kv().live_page(
        group, {}, now, -1,
        [&](std::string_view key, std::string_view value, std::optional<std::int64_t> blob) {
          if (blob) {
            streamed.emplace_back(key, *blob);
          } else {
            all.emplace_hint(all.end(), key, value);
          }
        });
    for (auto& [key, blob] : streamed) {
      if (auto value = held.streamed_value_of(group, key, blob, now)) {
        all.emplace(std::move(key), std::move(*value));
      }
    }
    return all;
  });
}

void Store::for_each(std::string_view group,
                     const std::function<bool(std::string_view, std::string_view)>& fn) const {
  const auto op = Operation::of("for_each", group);
  detail::guarded(op, [&] { for_each_page(impl(), op, group, fn); });
}

std::size_t Store::count(std::string_view group) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(Operation::of("count", group), [&](detail::HeldStore& held) {
    return held.kv().count_live(group, now);
  });
}

std::size_t Store::count_all(std::string_view group_prefix) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(
      Operation::of("count_all", group_prefix), [&](detail::HeldStore& held) {
        return held.kv().count_live_in_range(detail::PrefixRange::of(group_prefix), now);
      });
}

std::vector<std::string> Store::groups(std::string_view group_prefix) const {
  const auto now = detail::now_unix_ms();
  return impl().with_connection(
      Operation::of("groups", group_prefix), [&](detail::HeldStore& held) {
        return held.kv().live_groups_in_range(detail::PrefixRange::of(group_prefix), now);
      });
}

std::size_t Store::purge_expired() { return impl().purge_expired(); }

void Store::transaction(const std::function<void(Transaction&)>& fn) {
  impl().transaction(Operation::of("transaction"),
                     [&] { detail::run_callers_code([&] { fn(*this); }); });
}

std::uint64_t Store::revision() const {
  return impl().with_connection(Operation::of("revision"),
                                [&](detail::HeldStore& held) { return held.log().latest(); });
}

}  // namespace kvstore
