// The keys the workers write and the checker checks: few enough that writes of different
// processes collide on the same keys all the time.
#pragma once

#include <string>
#include <vector>

namespace history {

// The tenant namespace of the ScopedStore, with its one group ("acme:x" in the Store).
inline const std::string kTenant = "acme";
inline const std::string kTenantGroup = "x";
inline const std::string kScopedGroup = kTenant + ":" + kTenantGroup;
// Keys with 1 ms TTLs, so that purges and lazy expiry have work; left out of the value checks
// (what a read of them sees depends on the wall clock, not on the history).
inline const std::string kTtlGroup = "ttl";

// The groups whose every read and final state are checked.
inline const std::vector<std::string> kCheckedGroups = {"a", "b", kScopedGroup};
// The groups the plain Store and the LastModifiedStore write (the tenant's group only through
// the ScopedStore, so that its quota holds).
inline const std::vector<std::string> kPlainGroups = {"a", "b"};

inline const std::vector<std::string> kKeys = {"k0", "k1", "k2", "k3", "k4", "k5"};

}  // namespace history
