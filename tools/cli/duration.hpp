// Durations on the command line ("--ttl 10m") and in output ("9m59s").
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace kvcli {

// A CLI11 transform turning "500ms", "30s", "10m", "1.5h" or "2d" into a number of milliseconds
// (a unit is required: a bare "10" is rejected as ambiguous).
CLI::Validator duration_in_ms();

// A CLI11 check, after duration_in_ms(), refusing a duration that rounds to less than 1 ms (and
// NaN): to_milliseconds would make it 0, which means "no duration" to the commands.
CLI::Validator at_least_one_ms();

// Milliseconds from an option given through duration_in_ms() and at_least_one_ms(), rounded to
// the nearest one; saturated at milliseconds::max() (about 292 million years) when longer.
std::chrono::milliseconds to_milliseconds(double ms);

// "1d2h", "9m59s", "1.5s", "250ms", "0ms": the two largest units, for people.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace kvcli
