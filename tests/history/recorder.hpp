// A worker process's history: its calls, the events its on_change callback and
// its watchers receive, written to the process's history file as they happen.
//
// The revisions a call produced come from the process's own callback: kvstore delivers an event
// of this Store's own commit synchronously on the thread that committed it, before the call
// returns. So while a call runs, its thread's events are captured (a thread_local) and attached
// to it; an own event on a thread running no call (the background purge, the layer's cleanup
// job) is recorded as a call of its own, "background".
#pragma once

#include <fstream>
#include <kvstore/kvstore.hpp>
#include <mutex>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "record.hpp"

namespace history {

// The dynamic type of what was thrown, demangled ("kvstore::Busy").
std::string type_name(const std::type_info& type);

// store.revision(), tried again when it fails (a read rarely does; Busy in recovery); the
// maximum revision if it keeps failing, which makes the checker excuse everything before it.
std::uint64_t revision_now(kvstore::Store& store);

class Recorder {
 public:
  // Writes the history to `path` as it goes (a worker's history does not fit in memory).
  // Throws std::runtime_error if the file cannot be created.
  Recorder(int process, const std::string& path);

  int process() const { return process_; }

  // The Store's on_change callback.
  void on_event(const kvstore::Event& event);

  // Runs fn(call) as `call`: times it, records what it threw (a kvstore::Error by its type,
  // anything else as "foreign") and the own events it published. Returns the finished call
  // (not yet logged: a transaction splits it first).
  template <class Fn>
  Call run(Call call, Fn&& fn) {
    Capture capture;
    call.start = now();
    try {
      fn(call);
    } catch (const kvstore::Error& e) {
      failed(call, type_name(typeid(e)), e.what());
    } catch (const std::exception& e) {
      failed(call, "foreign: " + type_name(typeid(e)), e.what());
    } catch (...) {
      failed(call, "foreign: not a std::exception", "");
    }
    call.end = now();
    call.changes = capture.take();
    return call;
  }

  void log(const Line& line);
  // Writes out what is buffered and closes the file; throws std::runtime_error if anything
  // could not be written.
  void close();

 private:
  // Points this thread's own events at its own list while it lives.
  class Capture {
   public:
    Capture() : outer_(std::exchange(capturing(), &changes_)) {}
    ~Capture() { capturing() = outer_; }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    std::vector<Change> take() { return std::move(changes_); }

   private:
    std::vector<Change> changes_;
    std::vector<Change>* const outer_;
  };
  // The list of the call running on this thread, if any.
  static std::vector<Change>*& capturing();

  static void failed(Call& call, std::string outcome, const char* what) {
    call.outcome = std::move(outcome);
    call.message = what;
  }

  const int process_;
  const Nanos started_;
  const std::string path_;
  std::mutex mutex_;  // guards out_
  std::ofstream out_;
};

}  // namespace history
