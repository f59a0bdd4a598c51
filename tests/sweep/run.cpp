#include "run.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "raw_db.hpp"
#include "workload.hpp"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using kvfault::Control;

// Collects what broke a promise, with where.
class Violations {
 public:
  explicit Violations(std::vector<std::string>& out) : out_(out) {}
  void add(const std::string& where, const std::string& what) {
    out_.push_back(where + ": " + what);
  }

 private:
  std::vector<std::string>& out_;
};

// Runs one step: it returns or throws kvstore::Error; anything else breaks a promise.
void run_step(const Step& step, Env& env, Violations& violations) {
  try {
    const kvfault::CountAllocationsHere counting;
    step.run(env);
  } catch (const kvstore::Error&) {
  } catch (const std::exception& e) {
    violations.add(step.name, std::string("not a kvstore::Error: ") + e.what());
  } catch (...) {
    violations.add(step.name, "a non-standard exception");
  }
}

// Calls `check` and turns anything it throws into a violation: a fault-free check must work.
template <class Check>
void checking(const std::string& where, Violations& violations, Check&& check) {
  try {
    check();
  } catch (const std::exception& e) {
    violations.add(where, std::string("failed with no fault armed: ") + e.what());
  }
}

void compare(const std::string& where, const State& actual, const State& expected,
             Violations& violations) {
  if (actual != expected) {
    violations.add(where, "holds " + describe(actual) + "; expected " + describe(expected));
  }
}

void compare_events(const Env& env, Violations& violations) {
  const auto& expected = env.model.events();
  const auto& published = env.published;
  if (published.size() != expected.size()) {
    violations.add("events", std::to_string(published.size()) + " published, " +
                                 std::to_string(expected.size()) + " committed");
  }
  for (std::size_t i = 0; i < std::min(published.size(), expected.size()); ++i) {
    const auto& p = published[i];
    const auto& e = expected[i];
    if (p.type != e.type || p.group != e.group || p.key != e.key || p.value != e.value ||
        p.revision != i + 1) {
      violations.add("events", "event " + std::to_string(i) + " is " +
                                   std::string(kvstore::to_string(p.type)) + " " + p.group + "/" +
                                   p.key + " at revision " + std::to_string(p.revision) +
                                   "; expected " + std::string(kvstore::to_string(e.type)) + " " +
                                   e.group + "/" + e.key);
      return;
    }
  }
}

// Every file in "<path>-blobs" belongs to a recorded value and every recorded value has one.
void compare_value_files(const std::string& path, Violations& violations) {
  std::set<std::string> recorded, present;
  kvtest::RawDb db(path, SQLITE_OPEN_READONLY);
  for (const auto& id : db.column("SELECT id FROM blobs WHERE in_file = 1")) recorded.insert(id);
  if (fs::exists(path + "-blobs")) {
    for (const auto& entry : fs::directory_iterator(path + "-blobs")) {
      present.insert(entry.path().filename().string());
    }
  }
  if (recorded != present) {
    violations.add(path, std::to_string(present.size()) + " value files for " +
                             std::to_string(recorded.size()) + " recorded values");
  }
}

// Reopens `path` with no fault and checks it holds `expected` (or one of `allowed`), passes
// check(), keeps no stray value file, and takes a write.
void check_reopened(const std::string& path, const Env& env, const std::vector<State>& allowed,
                    Violations& violations) {
  const auto name = fs::path(path).filename().string();
  checking(name + " reopened", violations, [&] {
    kvstore::Store store(path, env.options);
    const auto state = state_of(store);
    if (std::find(allowed.begin(), allowed.end(), state) == allowed.end()) {
      std::string expected;
      for (const auto& s : allowed) expected += "\n    " + describe(s);
      violations.add(name + " reopened",
                     "holds " + describe(state) + "; expected one of" + expected);
    }
    for (const auto& problem : store.check()) violations.add(name + " check()", problem);
    compare_value_files(path, violations);
    store.set("after reopen", "k", "v");
    if (store.get("after reopen", "k") != std::optional<std::string>("v")) {
      violations.add(name + " reopened", "a write after reopen is not there");
    }
  });
}

// The states a power cut may leave of a file whose model acknowledged `acknowledged` commits:
// with Durability::full every acknowledged one, maybe the one in flight; with normal, any prefix.
std::vector<State> allowed_after_cut(const std::vector<State>& baseline, std::size_t acknowledged,
                                     kvstore::Durability durability) {
  const auto last = std::min(acknowledged + 1, baseline.size() - 1);
  const auto first = durability == kvstore::Durability::full ? acknowledged : 0;
  return {baseline.begin() + static_cast<std::ptrdiff_t>(first),
          baseline.begin() + static_cast<std::ptrdiff_t>(last) + 1};
}

void check_after_fault(Env& env, const Plan& plan, Violations& violations) {
  wait_for_short_ttl(env);
  if (env.store) {
    checking("in memory", violations, [&] {
      compare("in memory", state_of(*env.store), env.model.state(), violations);
      compare_events(env, violations);
      env.store->set("after", "k", "v");
      env.model.set("after", "k", "v");
      compare("in memory after a write", state_of(*env.store), env.model.state(), violations);
    });
  }
  env.subscription.unsubscribe();
  env.store.reset();
  if (plan.backend == Backend::memory) return;
  check_reopened(env.path, env, {env.model.state()}, violations);
  if (fs::exists(env.fresh_path())) {
    check_reopened(env.fresh_path(), env, {env.fresh.state()}, violations);
  } else if (!env.fresh.state().rows.empty()) {
    violations.add("fresh.db", "is missing, yet a write to it succeeded");
  }
  check_reopened(env.go_path(), env, {env.go.state()}, violations);
}

void check_after_cut(Env& env, const Plan& plan, const Baseline& baseline, Violations& violations) {
  wait_for_short_ttl(env);
  env.subscription.unsubscribe();
  env.store.reset();  // closes with the power still off: nothing more reaches the files
  Control::get().restore_power(plan.cut->loss, plan.cut->seed);
  const auto allowed = [&](const std::vector<State>& states, const Model& model) {
    return allowed_after_cut(states, model.history().size() - 1, plan.durability);
  };
  check_reopened(env.path, env, allowed(baseline.main, env.model), violations);
  if (fs::exists(env.fresh_path())) {
    check_reopened(env.fresh_path(), env, allowed(baseline.fresh, env.fresh), violations);
  }
  check_reopened(env.go_path(), env, allowed(baseline.go, env.go), violations);
}

}  // namespace

std::string Plan::describe() const {
  std::ostringstream out;
  out << (backend == Backend::file ? "file" : ":memory:") << ", "
      << (durability == kvstore::Durability::full ? "full" : "normal");
  if (fault) {
    out << ", fault " << sqlite3_errstr(fault->sqlite_code) << " (" << fault->sqlite_code
        << ") at call " << fault->nth << " of set 0x" << std::hex << fault->calls << std::dec
        << (fault->persistent ? ", persistent" : ", once");
  }
  if (cut) {
    out << ", power cut before call " << cut->nth << " of set 0x" << std::hex << cut->calls
        << std::dec << ", " << (cut->loss == kvfault::LossMode::drop ? "drop" : "tear") << " seed "
        << cut->seed;
  }
  return out.str();
}

std::uint64_t Baseline::count(kvfault::CallSet set) const {
  std::uint64_t total = 0;
  for (int bit = 0; bit < 32; ++bit) {
    if (set & (1u << bit)) total += calls[bit];
  }
  return total;
}

Result run(const Plan& plan, const std::string& directory, const Baseline* baseline) {
  Result result;
  Violations violations(result.violations);
  auto& control = Control::get();
  control.reset();
  Env env;
  env.directory = directory;
  env.path = plan.backend == Backend::file ? directory + "/store.db" : ":memory:";
  prepare(env, plan.durability);
  control.reset();  // the prepared files count as durable; the counts start here
  if (plan.fault) control.arm(*plan.fault);
  if (plan.cut) control.arm_cut(plan.cut->calls, plan.cut->nth);

  std::string cut_during = "after the workload";
  for (const Step& step : workload()) {
    if ((step.needs_store && !env.store) || (step.files_only && !env.in_file())) continue;
    run_step(step, env, violations);
    if (control.power_is_cut()) {
      cut_during = step.name;
      break;
    }
  }

  result.fired = control.fired() || control.power_is_cut();
  if (!plan.fault && !plan.cut) {
    for (int bit = 0; bit < 32; ++bit) result.baseline.calls[bit] = control.count(1u << bit);
  }
  control.disarm();
  if (plan.cut) {
    if (!baseline) throw std::logic_error("a run with a power cut needs the baseline");
    check_after_cut(env, plan, *baseline, violations);  // no cut yet: it comes after the close
    if (!result.violations.empty())
      result.violations.push_back("the power went during " + cut_during);
  } else {
    check_after_fault(env, plan, violations);
  }
  if (!plan.fault && !plan.cut) {
    result.baseline.main = env.model.history();
    result.baseline.fresh = env.fresh.history();
    result.baseline.go = env.go.history();
  }
  control.reset();
  return result;
}

}  // namespace sweep
