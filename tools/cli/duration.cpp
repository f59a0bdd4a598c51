#include "duration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <string>
#include <utility>

namespace kvcli {

namespace {

constexpr std::pair<std::string_view, double> kUnits[] = {
    {"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}};  // "ms" before "m"

// Digits with at most one '.', at least one digit: the number of a term, or 0 chars if none.
std::size_t number_length(std::string_view text) {
  std::size_t length = 0, digits = 0;
  bool point = false;
  for (; length < text.size(); ++length) {
    const char c = text[length];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  return digits ? length : 0;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A double holds any sum that matters: past 2^63 ms the result saturates anyway.
  double total_ms = 0;
  while (!text.empty()) {
    const auto length = number_length(text);
    if (length == 0) return std::nullopt;
    const double number = std::strtod(std::string(text.substr(0, length)).c_str(), nullptr);
    text.remove_prefix(length);
    const auto* unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                                    [&](const auto& u) { return text.starts_with(u.first); });
    if (unit == std::end(kUnits)) return std::nullopt;
    text.remove_prefix(unit->first.size());
    total_ms += number * unit->second;
  }
  constexpr auto kLongest = std::chrono::milliseconds::max();
  // llround's result is unspecified past what a long long holds.
  if (total_ms >= static_cast<double>(kLongest.count())) return kLongest;
  return std::chrono::milliseconds(std::llround(total_ms));
}

std::string invalid_duration(std::string_view text) {
  return "invalid duration '" + std::string(text) + "': expected e.g. 90s, 10m, 1h30m";
}

std::string format_duration(std::chrono::milliseconds duration) {
  using namespace std::chrono;
  if (duration < 1s) return std::to_string(duration.count()) + "ms";
  if (duration < 10s) {  // one decimal: "1.5s"
    const auto tenths = duration.count() / 100;
    std::string text = std::to_string(tenths / 10);
    if (tenths % 10) text.append(".").append(std::to_string(tenths % 10));
    return text.append("s");
  }
  // Largest unit first; at most two units, the smaller one omitted when zero.
  const std::pair<milliseconds, const char*> units[] = {
      {days(1), "d"}, {hours(1), "h"}, {minutes(1), "m"}, {seconds(1), "s"}};
  for (std::size_t i = 0; i + 1 < std::size(units); ++i) {
    const auto [unit, name] = units[i];
    if (duration < unit) continue;
    const auto [next_unit, next_name] = units[i + 1];
    const auto whole = duration / unit;
    const auto rest = (duration % unit) / next_unit;
    std::string text = std::to_string(whole).append(name);
    if (rest) text.append(std::to_string(rest)).append(next_name);
    return text;
  }
  return std::to_string(duration / seconds(1)) + "s";
}

}  // namespace kvcli
