// Event's names and JSON form.
#include <ctime>

#include "kvstore/events.hpp"
#include "util/unix_time.hpp"

namespace kvstore {

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::set:
      return "set";
    case EventType::erase:
      return "delete";
    case EventType::delete_group:
      return "delete_group";
    case EventType::expire:
      return "expire";
    case EventType::gap:
      return "gap";
  }
  return "set";
}

namespace {

// RFC 3339 in UTC with milliseconds: 2026-11-21T20:15:01.123Z
std::string rfc3339_utc_ms(Clock::time_point t) {
  const std::int64_t ms = detail::to_unix_ms(t);
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto millis = static_cast<int>(ms - seconds * 1000);
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", millis);
  return text;
}

}  // namespace

void to_json(nlohmann::json& out, const Event& event) {
  out = nlohmann::json{{"type", to_string(event.type)},
                       {"group", event.group},
                       {"key", event.key},
                       {"value", event.value},
                       {"revision", event.revision},
                       {"timestamp", rfc3339_utc_ms(event.timestamp)},
                       {"external", event.external}};
}

}  // namespace kvstore
