// Streamed writes: begin_set, the value in pieces, commit (or, now and then, abort: that value
// must never be visible). On the Store or through the ScopedStore, whose commit checks the quota.
#include "keyspace.hpp"
#include "operations.hpp"

namespace history {

void stream_write(Context& c) {
  const bool scoped = c.below(3) == 0;
  const bool abort = c.below(8) == 0;
  const auto& group = scoped ? kScopedGroup : c.plain_group();
  const auto& key = c.key();
  const auto value = c.unique_value(":stream");
  std::string op = abort ? "stream.abort" : scoped ? "tenant.stream" : "stream";
  c.record(c.call(std::move(op), group, key, value), [&](Call&) {
    auto writer = scoped ? c.tenant.begin_set(kTenantGroup, key) : c.store.begin_set(group, key);
    // Three pieces, the last possibly empty: the value is published whole or not at all.
    const auto third = value.size() / 3;
    writer.write(std::string_view(value).substr(0, third));
    writer.write(std::string_view(value).substr(third, third));
    writer.write(std::string_view(value).substr(2 * third));
    if (abort) {
      writer.abort();
    } else {
      writer.commit();
    }
  });
}

}  // namespace history
