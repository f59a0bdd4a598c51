// Event's names (both spellings of its type: type_names.hpp) and JSON form.
#include "events/type_names.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "kvstore/errors.hpp"
#include "util/unix_time.hpp"

namespace kvstore {

namespace {

struct Spellings {
  EventType type;
  std::string_view name;    // public
  std::string_view logged;  // the change log's `op`; empty: never logged
};

constexpr std::array<Spellings, 5> kSpellings{{
    {EventType::set, "set", "set"},
    {EventType::erase, "delete", "erase"},
    {EventType::delete_group, "delete_group", "delete_group"},
    {EventType::expire, "expire", "expire"},
    {EventType::gap, "gap", ""},
}};

const Spellings& spellings_of(EventType type) {
  const auto found = std::find_if(kSpellings.begin(), kSpellings.end(),
                                  [&](const Spellings& s) { return s.type == type; });
  return found == kSpellings.end() ? kSpellings.front() : *found;
}

}  // namespace

std::string_view to_string(EventType type) { return spellings_of(type).name; }

namespace detail {

std::string_view log_op_name(EventType type) { return spellings_of(type).logged; }

EventType log_op_type(std::string_view name) {
  for (const auto& s : kSpellings) {
    if (!s.logged.empty() && s.logged == name) return s.type;
  }
  throw SchemaError("kvstore: change log: unknown op '" + std::string(name) + "'");
}

}  // namespace detail

namespace {

// RFC 3339 in UTC with milliseconds: 2026-11-21T20:15:01.123Z
std::string rfc3339_utc_ms(Clock::time_point t) {
  const std::int64_t ms = detail::to_unix_ms(t);
  const std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto millis = static_cast<int>(ms - seconds * 1000);
  // The calendar of <chrono>, not gmtime_r (POSIX only).
  using namespace std::chrono;
  const sys_seconds time{std::chrono::seconds(seconds)};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()), millis);
  return text;
}

}  // namespace

void to_json(nlohmann::json& out, const Event& event) {
  out = nlohmann::json{{"type", to_string(event.type)},
                       {"group", event.group},
                       {"key", event.key},
                       {"value", event.value ? nlohmann::json(*event.value) : nlohmann::json()},
                       {"revision", event.revision},
                       {"timestamp", rfc3339_utc_ms(event.timestamp)},
                       {"external", event.external}};
}

}  // namespace kvstore
