// watch: follows the changes made by any process, one line (or JSON object) per event, until
// SIGINT or SIGTERM.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "display.hpp"
#include "json_bytes.hpp"
#include "signal_stop.hpp"
#include "timestamp.hpp"

namespace kvcli {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr auto kPollChanges = 100ms;  // how soon other processes' commits are seen
constexpr auto kCheckStop = 200ms;    // how soon a signal ends the loop
constexpr std::size_t kQueue = 4096;  // events buffered between two reads of the queue

struct WatchArgs {
  std::string group = "*", key = "*";
  std::uint64_t from_revision = 0;
  CLI::Option* from_given = nullptr;  // --from-revision was given
};

// The library's to_json(Event) puts raw bytes in JSON strings; this form marks non-UTF-8 ones.
json event_json(const kvstore::Event& event) {
  json object{{"type", kvstore::to_string(event.type)}};
  put_bytes(object, "group", event.group);
  put_bytes(object, "key", event.key);
  if (event.value) {
    put_bytes(object, "value", *event.value);
  } else {
    object["value"] = nullptr;  // never "set to empty": the event does not carry the value
  }
  object["revision"] = event.revision;
  object["timestamp"] = format_time(event.timestamp);
  object["external"] = event.external;
  return object;
}

// " = value" for a set event that carries its value; a marker that cannot pass for a value when
// it does not.
std::string set_value_text(const kvstore::Event& event) {
  if (event.type != kvstore::EventType::set) return {};
  return event.value ? " = " + printable(*event.value) : std::string("  (value not held)");
}

void print_event(const Output& out, const kvstore::Event& event) {
  const std::string type(kvstore::to_string(event.type));
  if (out.is_json()) {
    out.json(event_json(event));
  } else if (out.format() == Format::tsv) {
    std::cout << event.revision << '\t' << type << '\t' << tsv_cell(event.group) << '\t'
              << tsv_cell(event.key) << '\t' << (event.value ? tsv_cell(*event.value) : "\\N")
              << '\n';
  } else if (event.type == kvstore::EventType::gap) {
    std::cout << format_time(event.timestamp) << "  #" << event.revision
              << "  gap: changes before this revision were trimmed from the change log before "
                 "they could be read\n";
  } else {
    std::cout << format_time(event.timestamp) << "  #" << event.revision << "  " << type << "  "
              << key_name(event.group, event.key) << set_value_text(event) << '\n';
  }
  std::cout.flush();  // a follower reads events as they come, even through a pipe
}

void watch(const Context& context, const WatchArgs& args) {
  const SignalStop stop;
  auto db = context.open(Access::read_only, kPollChanges);
  const auto out = context.output();
  // Always watch from a revision: after a queue overflow the watch resumes there, with no gap.
  std::uint64_t last = args.from_given->count() ? args.from_revision : db->store().revision();
  auto subscribe = [&] {
    return db->with_scope(
        [&](auto& scope) { return scope.watch(args.group, args.key, last, kQueue); });
  };
  auto watcher = subscribe();
  while (!stop.requested()) {
    if (watcher.dropped() > 0) watcher = subscribe();
    const auto event = watcher.next(kCheckStop);
    if (!event) continue;
    last = event->revision;
    print_event(out, *event);
  }
}

}  // namespace

void add_watch_command(Registry& registry, const Context& context) {
  auto args = std::make_shared<WatchArgs>();
  auto* command = registry.add(
      "watch", "Print changes made by any process as they happen, until interrupted (Ctrl-C)",
      "kvstore watch config   or   kvstore --json watch --from-revision 120",
      [&context, args] { watch(context, *args); });
  command->add_option("group", args->group, "Group to follow (default: * = every group)");
  command->add_option("key", args->key, "Key to follow (default: * = every key)");
  args->from_given =
      command->add_option("--from-revision", args->from_revision,
                          "First replay the logged changes after revision N, then follow (no gap)");
  args->from_given->type_name("N");
}

}  // namespace kvcli
