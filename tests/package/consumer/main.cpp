// The smallest real user of kvstore: a store, a tenant, a typed error. Exits 0 when all held.
#include <kvstore/kvstore.hpp>

#include <iostream>

int main() {
  kvstore::Store store(":memory:");
  store.set("config", "theme", "dark");
  kvstore::ScopedStore tenant(store, "acme", {.max_keys = 1});
  tenant.set("prefs", "lang", "en");
  bool refused = false;
  try {
    tenant.set("prefs", "tz", "UTC");
  } catch (const kvstore::QuotaExceeded&) {
    refused = true;
  }
  const bool ok = store.get("config", "theme") == "dark" &&
                  store.get("acme:prefs", "lang") == "en" && refused;
  std::cout << (ok ? "consumer: ok" : "consumer: FAILED") << '\n';
  return ok ? 0 : 1;
}
