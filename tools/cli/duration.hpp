// Durations on the command line ("--ttl 1h30m") and in output ("9m59s"). Knows no CLI11, so that
// the unit tests (tests/cli/test_duration.cpp) compile it alone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kvcli {

// A duration as Go and systemd write them: one or more <number><unit> terms, summed: "90s",
// "1h30m", "500ms", "2d", "1.5h". Units: d, h, m, s, ms; a number is digits with at most one '.'
// (no sign, no exponent). Rounded to the nearest millisecond, saturated at milliseconds::max()
// (about 292 million years) when longer. nullopt if `text` is anything else (empty, "10" without
// a unit, "1h3x").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "invalid duration '1h3x': expected e.g. 90s, 10m, 1h30m".
std::string invalid_duration(std::string_view text);

// "1d2h", "9m59s", "1.5s", "250ms", "0ms": the two largest units, for people.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace kvcli
