// Durations on the command line ("--ttl 10m") and in output ("9m59s").
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace kvcli {

// A CLI11 transform turning "500ms", "30s", "10m", "1.5h" or "2d" into a number of milliseconds
// (a unit is required: a bare "10" is rejected as ambiguous).
CLI::Validator duration_in_ms();

// Milliseconds from an option given through duration_in_ms(), rounded to the nearest one.
std::chrono::milliseconds to_milliseconds(double ms);

// "1d2h", "9m59s", "1.5s", "250ms", "0ms": the two largest units, for people.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace kvcli
