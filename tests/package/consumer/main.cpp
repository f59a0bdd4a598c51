// The smallest real user of kvstore: a store, a tenant, a typed error, a template, a TTL, and
// the headers' version matching the library's (which a shared build may not). Exits 0 when all
// held.
#include <chrono>
#include <iostream>
#include <kvstore/kvstore.hpp>

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
  store.expire("config", "theme", std::chrono::hours(1));
  const auto ttl = store.ttl("config", "theme");
  const bool ok = store.get("config", "theme") == "dark" &&
                  store.get("acme:prefs", "lang") == "en" && refused &&
                  store.render("config", kvstore::Template{"{{theme}}"}) == "dark" && ttl &&
                  ttl->remaining && kvstore::version() == KVSTORE_VERSION_STRING;
  std::cout << (ok ? "consumer: ok" : "consumer: FAILED") << '\n';
  return ok ? 0 : 1;
}
