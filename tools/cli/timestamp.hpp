// Absolute times as RFC 3339 UTC with milliseconds ("2026-11-21T20:15:01.123Z"), the form the
// library's events use; export writes expiry times this way.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kvcli {

using Clock = std::chrono::system_clock;

std::string format_time(Clock::time_point time);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (a 't'/'z' or ' ' separator too);
// nullopt if the text is not such a time, or one before 1970 or after 2261 (a Clock::time_point
// counts nanoseconds since 1970 in 64 bits).
std::optional<Clock::time_point> parse_time(std::string_view text);

}  // namespace kvcli
