#include "duration.hpp"

#include <cmath>
#include <cstdlib>
#include <map>

namespace kvcli {

CLI::Validator duration_in_ms() {
  const std::map<std::string, double> units{
      {"ms", 1.0}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}, {"d", 86400e3}};
  return CLI::AsNumberWithUnit(
      units,
      CLI::AsNumberWithUnit::Options(CLI::AsNumberWithUnit::CASE_SENSITIVE |
                                     CLI::AsNumberWithUnit::UNIT_REQUIRED),
      "UNIT");
}

CLI::Validator at_least_one_ms() {
  return CLI::Validator(
      [](const std::string& ms) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(ms.c_str(), &end);
        // Written so that NaN fails too.
        if (end != ms.c_str() && *end == '\0' && value >= 0.5) return {};
        return "must be at least 1ms once rounded to whole milliseconds (got " + ms + "ms)";
      },
      "");
}

std::chrono::milliseconds to_milliseconds(double ms) {
  // llround's result is unspecified past what a long long holds (1e15d became "no TTL").
  constexpr auto kLongest = std::chrono::milliseconds::max();
  if (ms >= static_cast<double>(kLongest.count())) return kLongest;
  return std::chrono::milliseconds(std::llround(ms));
}

std::string format_duration(std::chrono::milliseconds duration) {
  using namespace std::chrono;
  if (duration < 1s) return std::to_string(duration.count()) + "ms";
  if (duration < 10s) {  // one decimal: "1.5s"
    const auto tenths = duration.count() / 100;
    return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
           "s";
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
    return std::to_string(whole) + name + (rest ? std::to_string(rest) + next_name : "");
  }
  return std::to_string(duration / seconds(1)) + "s";
}

}  // namespace kvcli
