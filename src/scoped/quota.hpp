// Quota enforcement for ScopedStore writes, on the per-namespace counts of NamespaceCounts.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/held_store.hpp"
#include "kvstore/scoped_store.hpp"
#include "util/operation.hpp"

namespace kvstore::detail {

// Whether storing group/key keeps namespace `ns` within `quota` as its rows are counted now
// (expired rows included). Only when the counts say a limit is reached does it look closer: is
// the key or group new? Reads only. Caller holds the connection.
bool within_quota(HeldStore& held, std::string_view ns, const QuotaConfig& quota,
                  std::string_view group, std::string_view key);

// Checks, inside the write's scope and before it writes group/key, that storing one more key
// there keeps namespace `ns` within `quota`: within_quota, and if not, it purges the namespace's
// expired rows in the same scope and looks again. Throws QuotaExceeded, and then the scope (which
// must be able to roll the purge back: a transaction or savepoint) rolls back.
void check_quota(HeldStore& held, const Operation& op, std::string_view ns,
                 const QuotaConfig& quota, std::string_view group, std::string_view key,
                 std::int64_t now);

}  // namespace kvstore::detail
