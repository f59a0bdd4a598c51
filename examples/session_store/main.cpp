// Example: the session store of a web service.
//
// Shows how to
//   - keep login sessions that expire on their own (set_with_ttl), purged by the Store's
//     background thread every Options::purge_interval, and slide them on activity (expire: a new
//     TTL without rewriting the session; ttl reads what is left);
//   - give every user a ScopedStore (namespace "user-<name>") whose key quota (max_keys) caps how
//     many live sessions the user may hold: one login too many throws QuotaExceeded, and expired
//     sessions stop counting;
//   - put a LastModifiedStore in front of the Store, so authenticating a request (token -> user)
//     is served from memory; it stays coherent with writes made directly on the Store;
//   - react to expiry: a Watcher receives an EventType::expire event when the purge removes a
//     session (an audit log or "you were signed out" notification would hang off it).
//
// Exits non-zero if a step fails.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <kvstore/kvstore.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "example_support.hpp"

namespace {

using example::expect;

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The global index: token -> user name. Read on every request, through the in-memory layer.
constexpr std::string_view kIndex = "session-index";
// Each user's own sessions, in their namespace: token -> details of the session.
constexpr std::string_view kSessions = "sessions";
constexpr std::size_t kMaxSessionsPerUser = 2;

class SessionService {
 public:
  SessionService(kvstore::Store& store, kvstore::LastModifiedStore& cache)
      : store_(store), cache_(cache) {}

  // Opens a session for `user` on `device`, valid for `ttl`; returns its token.
  // Throws kvstore::QuotaExceeded, storing nothing, if the user already has
  // kMaxSessionsPerUser live sessions.
  std::string login(const std::string& user, const std::string& device,
                    std::chrono::milliseconds ttl) {
    const std::string token = new_token();
    const nlohmann::json details = {{"device", device}, {"ttl_ms", ttl.count()}};
    // The quota-checked write comes first: it is the one expected to fail.
    account(user).set_with_ttl(kSessions, token, details.dump(), ttl);
    try {
      cache_.set_with_ttl(kIndex, token, user, ttl);  // write-through: Store, then memory
    } catch (...) {
      account(user).erase(kSessions, token);  // keep the two records in step
      throw;
    }
    return token;
  }

  // The user a request's token belongs to, or nullopt if the session is unknown or expired.
  // Served from memory once the layer holds the token.
  std::optional<std::string> authenticate(const std::string& token) {
    auto item = cache_.get(kIndex, token);
    if (!item) return std::nullopt;
    return item->value;
  }

  // Keeps an active session alive for `ttl` from now (a sliding session): expire() gives both
  // records a new TTL and leaves their values as they are. False if the session is already gone.
  bool touch(const std::string& user, const std::string& token, std::chrono::milliseconds ttl) {
    if (!account(user).expire(kSessions, token, ttl)) return false;
    return store_.expire(kIndex, token, ttl);  // the layer in front sees the change (an event)
  }

  void logout(const std::string& token) {
    if (auto user = authenticate(token)) account(*user).erase(kSessions, token);
    cache_.erase(kIndex, token);
  }

  // The user's namespace. A ScopedStore is a cheap view: make one where needed. Every view of a
  // namespace shares the same quota, since the quota counts what the Store holds.
  // A namespace matches ^[A-Za-z0-9-]+$, so user ids are limited to those characters here
  // (ScopedStore throws InvalidArgument otherwise).
  kvstore::ScopedStore account(const std::string& user) {
    kvstore::QuotaConfig quota;
    quota.max_keys = kMaxSessionsPerUser;
    return kvstore::ScopedStore(store_, "user-" + user, quota);
  }

 private:
  static std::string new_token() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    std::ostringstream token;
    token << std::hex << std::setfill('0') << std::setw(16) << random() << std::setw(16)
          << random();
    return token.str();
  }

  kvstore::Store& store_;
  kvstore::LastModifiedStore& cache_;
};

// Waits (with a deadline, not a sleep) for the purge thread to report that `key` expired.
std::optional<kvstore::Event> await_expiry(kvstore::Watcher& events, const std::string& key) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = events.next(100ms);
    if (event && event->type == kvstore::EventType::expire && event->key == key) return event;
  }
  return std::nullopt;
}

}  // namespace

int main() try {
  example::TempDir dir("sessions");  // declared first: destroyed last

  // Purge expired keys every 50 ms (the default is a minute): short, so this example runs fast.
  kvstore::Options options;
  options.purge_interval = 50ms;
  kvstore::Store store(dir.path / "sessions.db", options);
  // The in-memory layer in front of the Store. It must be started before use and is shut down
  // by its destructor (it is declared after the Store, so it goes first).
  kvstore::LastModifiedConfig cache_config;
  cache_config.max_size = 100'000;  // entries held in memory; past it, drop the oldest
  cache_config.on_full = kvstore::FullPolicy::evict_oldest;
  kvstore::LastModifiedStore cache(store, cache_config);
  cache.start();
  SessionService sessions(store, cache);

  // 1. Logins within the quota; a third live session is refused.
  const auto laptop = sessions.login("alice", "laptop", 1h);
  const auto phone = sessions.login("alice", "phone", 1h);
  expect(sessions.authenticate(laptop) == "alice" && sessions.authenticate(phone) == "alice",
         "both of alice's sessions authenticate");
  expect(sessions.account("alice").count(kSessions) == 2, "alice's namespace holds 2 sessions");
  bool refused = false;
  try {
    sessions.login("alice", "tablet", 1h);
  } catch (const kvstore::QuotaExceeded& e) {
    std::cout << "  refused: " << e.what() << "\n";
    refused = true;
  }
  expect(refused, "a third session for alice is refused (QuotaExceeded)");
  expect(sessions.account("alice").count(kSessions) == 2 && store.count(kIndex) == 2,
         "the refused login stored nothing");

  sessions.logout(phone);
  expect(!sessions.authenticate(phone), "a logged-out token no longer authenticates");
  const auto tablet = sessions.login("alice", "tablet", 1h);
  expect(sessions.authenticate(tablet) == "alice", "after a logout alice may log in again");

  // 2. Fast reads: the layer answers from memory.
  const auto before = cache.stats();
  for (int request = 0; request < 10'000; ++request) {
    if (sessions.authenticate(laptop) != "alice") throw std::runtime_error("lost the session");
  }
  const auto after = cache.stats();
  std::cout << "  10000 requests: " << after.hits - before.hits << " hits, "
            << after.misses - before.misses << " misses\n";
  expect(after.hits - before.hits == 10'000, "every request was served from memory");

  // The layer keeps the commit time of each item: "signed in at ..." costs no Store read.
  const auto signed_in = cache.last_modified(kIndex, laptop);
  expect(signed_in && *signed_in <= kvstore::Clock::now(), "the layer knows when a session began");

  // A write made directly on the Store (an admin tool revoking a session) reaches the layer: once
  // the Store call returns, the layer no longer serves the old value.
  store.erase(kIndex, tablet);
  sessions.account("alice").erase(kSessions, tablet);
  expect(!sessions.authenticate(tablet), "a session revoked on the Store is gone from the layer");

  // A request on the laptop slides its session: a day from now instead of an hour.
  expect(sessions.touch("alice", laptop, 24h), "the laptop's session is extended");
  const auto left = sessions.account("alice").ttl(kSessions, laptop);
  expect(left && left->remaining && *left->remaining > 1h, "its TTL now runs for a day");
  expect(!sessions.touch("alice", tablet, 24h), "a revoked session cannot be extended");

  // 3. Expiry. Watch bob's sessions before he logs in, so no event can be missed; a ScopedStore's
  // watcher reports groups without the "user-bob:" prefix. A login writes two keys with the same
  // TTL one after the other (the session, then its index entry), so they expire a moment apart:
  // watch the index too and wait for both.
  auto bob_events = sessions.account("bob").watch(kSessions);
  auto index_events = store.watch(kIndex);
  const auto bob = sessions.login("bob", "kiosk", 1s);
  expect(sessions.authenticate(bob) == "bob", "bob's short session works at first");

  const auto expired = await_expiry(bob_events, bob);
  expect(expired.has_value(), "an expire event arrived for bob's session");
  std::cout << "  event: " << nlohmann::json(*expired).dump() << "\n";
  expect(expired->group == kSessions, "the scoped watcher reports the unprefixed group");
  expect(await_expiry(index_events, bob).has_value(), "and one for his index entry");
  expect(!sessions.authenticate(bob), "the expired session no longer authenticates");
  expect(sessions.account("bob").count(kSessions) == 0, "and no longer counts against the quota");
  expect(sessions.authenticate(laptop) == "alice", "alice's long session is untouched");

  std::cout << "session_store: all checks passed\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "session_store: " << e.what() << "\n";
  return 1;
}
