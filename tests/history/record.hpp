// What the history checker records: every call a worker made (with its interval, outcome, result
// and the revisions its own events carried) and every event a subscriber received, as lines of a
// history file. One file per process; the checker reads them all back (history.hpp).
//
// Line format: a tag, then fields separated by single spaces. Each field is percent-escaped
// (bytes up to ' ', '%' and from 0x7f as %XX; the empty string as a lone "%"), so that any bytes
// (a JSON value's quotes, an error message's spaces) survive.
#pragma once

#include <chrono>
#include <cstdint>
#include <kvstore/kvstore.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace history {

// Nanoseconds of std::chrono::steady_clock: CLOCK_MONOTONIC on Linux, the same clock in every
// process, so that intervals recorded by different processes compare.
using Nanos = std::int64_t;
Nanos now();
Nanos to_nanos(std::chrono::steady_clock::time_point t);

// An event as a subscriber received it.
struct Change {
  std::uint64_t revision = 0;
  kvstore::EventType type = kvstore::EventType::set;
  std::string group, key;
  std::optional<std::string> value;  // Event::value
  bool external = false;
  static Change of(const kvstore::Event& event);
  std::string describe() const;
};

// One call to kvstore (a transaction records one Call per write inside it, sharing `batch`).
struct Call {
  int process = 0, thread = 0;
  std::uint64_t batch = 0;  // the sub-writes of one transaction share it; 0 for other calls
  std::string op;           // the operation (operations.cpp names them)
  std::string group, key;   // as stored: a ScopedStore's group carries its "acme:" prefix
  std::optional<std::string> written;  // the bytes a write stores (unique in the run)
  Nanos start = 0, end = 0;
  std::string outcome = "ok";  // "ok", the kvstore::Error's dynamic type, or "foreign: <type>"
  std::string message;         // what() of what was thrown
  std::optional<std::string> value;  // what a read returned (nullopt: absent)
  std::uint64_t number = 0;  // erase's result, a count, or the revision a read saw (reader, stat)
  std::vector<std::pair<std::string, std::string>> entries;  // get_all's result
  std::vector<Change> changes;  // own events the call published (its revisions)

  bool ok() const { return outcome == "ok"; }
  std::string describe() const;
};

// A line of a history file.
struct Line {
  enum class Tag {
    options,     // O process polls description
    subscribed,  // U process revision: the callback subscribed; the Store was at `revision`
    call,        // R <call>
    delivered,   // E process <change>: an on_change callback received it
    watcher,     // V process watcher group revision: a watcher on group ("*" = all) was created
                 // when the Store was at `revision`
    watched,     // W process watcher <change>: the watcher received it
    compacted,   // C process watcher error: a resume threw, the watcher went on live
    quota,       // Q max_keys samples: the namespace's quota and how many samples were taken
    sample,      // S time count: a sample of the namespace over its quota
  };
  Tag tag = Tag::call;
  int process = 0;
  int watcher = 0;
  bool polls = false;  // options: the process's external_poll_interval is not 0
  std::string text;    // options: the description; watcher: its group; compacted: the error
  // quota: max_keys and samples; sample: the count; subscribed and watcher: the revision
  std::uint64_t count = 0, limit = 0;
  Nanos time = 0;  // sample
  Call call;
  Change change;
};

std::string escape(std::string_view bytes);
std::string unescape(std::string_view field);

std::string format(const Line& line);
// Throws std::runtime_error on a malformed line.
Line parse(const std::string& text);

}  // namespace history
