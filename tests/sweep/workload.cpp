#include "workload.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "fault_control.hpp"

namespace sweep {
namespace {

using namespace std::chrono_literals;
using kvfault::PauseAllocationCounting;

constexpr std::size_t KiB = 1024;
// A streamed value's set event carries it up to this size (blob/stream_state.hpp).
constexpr std::size_t kEventValueLimit = 64 * KiB;

struct Intentional {};  // what the nested transaction's fn throws on purpose

// A JSON value made once and kept: nlohmann's destructor allocates, so one destroyed inside a
// step would end the process when the sweep fails that allocation.
const nlohmann::json& json_value(const char* text) {
  static std::map<std::string, nlohmann::json> values;
  const PauseAllocationCounting pause;
  return values.try_emplace(text, nlohmann::json::parse(text)).first->second;
}

// What `make` builds: the sweep's own objects, made with allocation failures paused (only
// kvstore's own allocations are failed).
template <class Make>
auto sweep_owned(Make&& make) {
  const PauseAllocationCounting pause;
  return make();
}

// Opens (and so migrates) the side file at (env.*side_path)(), then sets group/key = value in it
// and, once that returned, in `model`, the side file's.
void set_in_side_file(Env& env, std::string (Env::*side_path)() const, Model& model,
                      std::string_view group, std::string_view key, std::string_view value) {
  // The harness makes the std::filesystem::path (an allocation the sweep must not fail).
  kvstore::Store side(sweep_owned([&] { return std::filesystem::path((env.*side_path)()); }),
                      env.options_copy());
  side.set(group, key, value);
  model.set(group, key, value);
}

std::string bytes_of(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

// begin_set, write in 64 KiB pieces, commit; applied to the model once commit returned.
void stream(Env& env, std::string_view group, std::string_view key, const std::string& value,
            std::string_view tag) {
  auto meta = sweep_owned([&] {
    kvstore::Metadata made;
    made.tag = tag;
    return made;
  });
  auto writer = env.store->begin_set(group, key, meta);
  for (std::size_t at = 0; at < value.size(); at += 64 * KiB) {
    writer.write(std::string_view(value).substr(at, 64 * KiB));
  }
  writer.commit();
  env.model.set(group, key, value, false, tag,
                value.size() <= kEventValueLimit ? EventHolds::value : EventHolds::nothing);
}

// A quota-checked write: past the quota it must throw QuotaExceeded and change nothing.
void tenant_set(Env& env, std::string_view key, std::string_view value) {
  kvstore::ScopedStore tenant(*env.store, "acme", {2, 0});
  const bool fits = env.model.has("acme:prefs", key) || env.model.namespace_keys("acme") < 2;
  try {
    tenant.set("prefs", key, value);
  } catch (const kvstore::QuotaExceeded&) {
    if (fits) throw std::logic_error("QuotaExceeded within the quota");
    return;
  }
  if (!fits) throw std::logic_error("a write past the quota succeeded");
  env.model.set("acme:prefs", key, value);
}

void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open(path.c_str(), &db);
  char* error = nullptr;
  if (rc != SQLITE_OK || sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    sqlite3_close(db);
    throw std::runtime_error("prepare " + path + ": " + message);
  }
  sqlite3_close(db);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kBig = bytes_of(300 * KiB + 17, 1);  // more than one staging chunk
const std::string kSmall = bytes_of(1000, 2);          // its event carries the value
const std::string kReplacement = bytes_of(2000, 3);

std::vector<Step> make_workload() {
  std::vector<Step> steps;
  steps.push_back({"open",
                   [](Env& env) {
                     env.store.emplace(sweep_owned([&] { return std::filesystem::path(env.path); }),
                                       env.options_copy());
                     try {
                       env.subscription = env.store->on_change([&env](const kvstore::Event& e) {
                         const PauseAllocationCounting pause;
                         env.published.push_back(e);
                       });
                     } catch (...) {
                       env.store.reset();  // a store whose events the sweep cannot see
                       throw;
                     }
                   },
                   false});
  steps.push_back({"set", [](Env& env) {
                     env.store->set("config", "theme", "dark");
                     env.model.set("config", "theme", "dark");
                   }});
  steps.push_back({"set_with_ttl", [](Env& env) {
                     env.store->set_with_ttl("session", "token", "abc", 1h);
                     env.model.set("session", "token", "abc", true);
                   }});
  steps.push_back({"set_with_ttl (expiring at once)", [](Env& env) {
                     env.short_ttl_set_at = std::chrono::system_clock::now();
                     env.store->set_with_ttl("short", "x", "y", 1ms);
                     env.model.set("short", "x", "y", true, {}, EventHolds::value, true);
                   }});
  steps.push_back({"set_json", [](Env& env) {
                     const auto& window = json_value(R"({"w": 800, "h": 600})");
                     env.store->set_json("config", "window", window);
                     env.model.set("config", "window", sweep_owned([&] { return window.dump(); }));
                   }});
  // config/theme is there unless its set failed; persist writes only if the expire took.
  steps.push_back({"expire", [](Env& env) {
                     const bool found = env.store->expire("config", "theme", 1h);
                     if (found != env.model.has("config", "theme")) {
                       throw std::logic_error("expire answered otherwise than the model");
                     }
                     if (found) env.model.set("config", "theme", "dark", true);
                   }});
  steps.push_back({"persist", [](Env& env) {
                     const bool found = env.store->persist("config", "theme");
                     if (found != env.model.has("config", "theme")) {
                       throw std::logic_error("persist answered otherwise than the model");
                     }
                     if (found && env.model.expires("config", "theme")) {
                       env.model.set("config", "theme", "dark");
                     }
                   }});
  steps.push_back({"set", [](Env& env) {
                     env.store->set("config", "lang", "en");
                     env.model.set("config", "lang", "en");
                   }});
  steps.push_back({"erase", [](Env& env) {
                     const bool erased = env.store->erase("config", "lang");
                     if (erased != env.model.erase("config", "lang")) {
                       throw std::logic_error("erase answered otherwise than the model");
                     }
                   }});
  steps.push_back({"transaction with a nested savepoint that throws", [](Env& env) {
                     env.store->transaction([&](kvstore::Transaction& tx) {
                       tx.set("tx", "a", "1");
                       tx.set_with_ttl("tx", "b", "2", 1h);
                       try {
                         env.store->transaction([](kvstore::Transaction& nested) {
                           nested.set("tx", "c", "3");
                           throw Intentional{};
                         });
                       } catch (const Intentional&) {
                       }
                       tx.erase("config", "theme");
                       tx.delete_group("session");
                     });
                     const Model::Batch batch(env.model);
                     env.model.set("tx", "a", "1");
                     env.model.set("tx", "b", "2", true);
                     env.model.erase("config", "theme");
                     env.model.delete_group("session");
                   }});
  steps.push_back({"ScopedStore set", [](Env& env) { tenant_set(env, "k1", "v1"); }});
  steps.push_back({"ScopedStore set", [](Env& env) { tenant_set(env, "k2", "v2"); }});
  steps.push_back(
      {"ScopedStore set past the quota", [](Env& env) { tenant_set(env, "k3", "v3"); }});
  steps.push_back({"ScopedStore set_json at the quota", [](Env& env) {
                     kvstore::ScopedStore tenant(*env.store, "acme", {2, 0});
                     const bool fits =
                         env.model.has("acme:prefs", "k1") || env.model.namespace_keys("acme") < 2;
                     try {
                       tenant.set_json("prefs", "k1", json_value(R"({"x": 1})"));
                     } catch (const kvstore::QuotaExceeded&) {
                       if (fits) throw std::logic_error("QuotaExceeded within the quota");
                       return;
                     }
                     env.model.set("acme:prefs", "k1", R"({"x":1})");
                   }});
  steps.push_back({"stream and commit", [](Env& env) { stream(env, "blobs", "big", kBig, "e1"); }});
  steps.push_back({"stream and abort", [](Env& env) {
                     auto writer = env.store->begin_set("blobs", "gone");
                     writer.write(sweep_owned([] { return bytes_of(10 * KiB, 4); }));
                     writer.abort();
                   }});
  steps.push_back(
      {"stream and commit", [](Env& env) { stream(env, "blobs", "small", kSmall, "e2"); }});
  // Makes what came before durable under Durability::normal too, so that a power cut from here
  // on can lose the later deletions of value files' rows but not their creation.
  steps.push_back({"checkpoint", [](Env& env) { env.store->checkpoint(); }});
  steps.push_back({"stream over a streamed value",
                   [](Env& env) { stream(env, "blobs", "big", kReplacement, "e3"); }});
  steps.push_back({"set over a streamed value", [](Env& env) {
                     env.store->set("blobs", "small", "plain");
                     env.model.set("blobs", "small", "plain");
                   }});
  steps.push_back({"purge_expired", [](Env& env) {
                     wait_for_short_ttl(env);
                     const auto purged = env.store->purge_expired();
                     if (purged != env.model.purge_expired()) {
                       throw std::logic_error("purge_expired answered otherwise than the model");
                     }
                   }});
  steps.push_back({"delete_group", [](Env& env) {
                     const auto removed = env.store->delete_group("tx");
                     if (removed != env.model.delete_group("tx")) {
                       throw std::logic_error("delete_group answered otherwise than the model");
                     }
                   }});
  steps.push_back({"delete_prefix", [](Env& env) {
                     const auto removed = env.store->delete_prefix("acme:");
                     if (removed != env.model.delete_prefix("acme:")) {
                       throw std::logic_error("delete_prefix answered otherwise than the model");
                     }
                   }});
  steps.push_back({"erase a streamed value", [](Env& env) {
                     const bool erased = env.store->erase("blobs", "big");
                     if (erased != env.model.erase("blobs", "big")) {
                       throw std::logic_error("erase answered otherwise than the model");
                     }
                   }});
  steps.push_back({"checkpoint", [](Env& env) { env.store->checkpoint(); }});
  steps.push_back({"vacuum", [](Env& env) { env.store->vacuum(); }});
  steps.push_back({"set after maintenance", [](Env& env) {
                     env.store->set("final", "k", "v");
                     env.model.set("final", "k", "v");
                   }});
  steps.push_back(
      {"open and migrate a new file",
       [](Env& env) { set_in_side_file(env, &Env::fresh_path, env.fresh, "f", "k", "v"); }, false,
       true});
  steps.push_back(
      {"open and migrate a go-store file",
       [](Env& env) { set_in_side_file(env, &Env::go_path, env.go, "config", "theme", "light"); },
       false, true});
  return steps;
}

}  // namespace

const std::vector<Step>& workload() {
  static const std::vector<Step> steps = make_workload();
  return steps;
}

void wait_for_short_ttl(const Env& env) {
  while (std::chrono::system_clock::now() < env.short_ttl_set_at + 2ms) {
  }
}

kvstore::Options Env::options_copy() const {
  const PauseAllocationCounting pause;
  return options;
}

void prepare(Env& env, kvstore::Durability durability) {
  env.options.durability = durability;
  env.options.purge_interval = 0ms;  // no background thread: every call is the sweep's
  env.options.external_poll_interval = 0ms;
  // Nothing else holds a lock: a Busy comes from a fault, and a persistent one need not be
  // waited out for long.
  env.options.busy_timeout = 20ms;
  env.options.on_error = [&env](const std::string& message) {
    const PauseAllocationCounting pause;
    env.reports.push_back(message);
  };
  env.go = go_fixture();
  if (env.in_file()) {
    run_sql(env.go_path(), read_file(std::string(KVSTORE_TEST_FIXTURES) + "/go_store_ttl.sql"));
  }
}

Model go_fixture() {
  Model go;
  go.seed("config", "theme", {"dark", "", false, false});
  go.seed("config", "lang", {"en", "", false, false});
  go.seed("session", "live-1", {"token-a", "", true, false});
  go.seed("session", "live-2", {"token-b", "", true, false});
  for (const auto& [group, key] :
       {Key{"session", "gone-1"}, Key{"session", "gone-2"}, Key{"cache", "gone-3"}}) {
    go.seed(group, key, {"x", "", true, true});
  }
  return go;
}

}  // namespace sweep
