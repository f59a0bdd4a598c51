// Quota enforcement for ScopedStore writes, on the per-namespace counts of NamespaceCounts.
#pragma once

#include <cstdint>
#include <string_view>

#include "kvstore/scoped_store.hpp"
#include "operation.hpp"
#include "store_impl.hpp"

namespace kvstore::detail {

// Checks, inside the write's scope and before it writes group/key, that storing one more key
// there keeps namespace `ns` within `quota`. Only when the stored counts say a limit is reached
// does it look closer: is the key or group new, and do expired rows of the namespace (purged
// then, in the same scope) make room? Throws QuotaExceeded, and then the scope rolls back.
void check_quota(Store::Impl& impl, const Operation& op, std::string_view ns,
                 const QuotaConfig& quota, std::string_view group, std::string_view key,
                 std::int64_t now);

}  // namespace kvstore::detail
