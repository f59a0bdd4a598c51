// The failure sweep's scripted workload: every write path of kvstore, step by step, on one store
// (a file or ":memory:") and, for a file, two more files opened and migrated on the way.
//
// A step makes one or more kvstore calls and, after each call that returned, applies it to the
// model. A call either returns or throws kvstore::Error; a step stops at its first error. A
// step whose call must fail even without faults (a write past a quota) says so through the model:
// the call then throws QuotaExceeded and applies nothing.
#pragma once

#include <chrono>
#include <functional>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace sweep {

// The store under test and what it reported.
struct Env {
  std::string directory;
  std::string path;  // the main store: a file in `directory`, or ":memory:"
  kvstore::Options options;
  std::optional<kvstore::Store> store;
  kvstore::Subscription subscription;
  std::vector<kvstore::Event> published;
  std::vector<std::string> reports;  // Options::on_error
  Model model;
  std::chrono::system_clock::time_point short_ttl_set_at{};  // the 1 ms TTL's set
  // The side files: a new file and a go-store file, each opened (and migrated) by a step.
  Model fresh, go;
  bool in_file() const { return path != ":memory:"; }
  // A copy of `options`, made with allocation failures paused (it is the sweep's, not kvstore's).
  kvstore::Options options_copy() const;
  std::string fresh_path() const { return directory + "/fresh.db"; }
  std::string go_path() const { return directory + "/go.db"; }
};

struct Step {
  const char* name;
  std::function<void(Env&)> run;  // throws kvstore::Error when a call fails
  bool needs_store = true;        // skipped when the main store could not be opened
  bool files_only = false;        // skipped on ":memory:"
};

// The steps, in order. The first opens env.store.
const std::vector<Step>& workload();

// Prepares `directory` for a run (the go-store file) with no fault armed, and the options.
void prepare(Env& env, kvstore::Durability durability);

// Returns once the workload's 1 ms TTL has passed, by the clock (not by waiting for another
// thread): the key is then invisible to every read, as the model has it.
void wait_for_short_ttl(const Env& env);

// The go-store file's rows as the fixture creates them, before any kvstore open.
Model go_fixture();

}  // namespace sweep
