// The CLI's duration parser (tools/cli/duration.hpp): Go's and systemd's forms, sums of terms,
// rounding to milliseconds, saturation, and what it refuses.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "cli/duration.hpp"

using namespace std::chrono_literals;
using kvcli::parse_duration;

TEST_CASE("cli duration: single terms of every unit", "[cli][duration]") {
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("90s") == 90s);
  CHECK(parse_duration("10m") == 10min);
  CHECK(parse_duration("3h") == 3h);
  CHECK(parse_duration("2d") == 48h);
  CHECK(parse_duration("0s") == 0ms);
}

TEST_CASE("cli duration: terms are summed, in any order, fractions allowed", "[cli][duration]") {
  CHECK(parse_duration("1h30m") == 90min);
  CHECK(parse_duration("1h30m15s") == 1h + 30min + 15s);
  CHECK(parse_duration("30m1h") == 90min);
  CHECK(parse_duration("2d12h") == 60h);
  CHECK(parse_duration("1.5h") == 90min);
  CHECK(parse_duration("1s500ms") == 1500ms);
  CHECK(parse_duration(".5s") == 500ms);
  CHECK(parse_duration("1.s") == 1s);
}

TEST_CASE("cli duration: rounded to the nearest millisecond", "[cli][duration]") {
  CHECK(parse_duration("0.4ms") == 0ms);
  CHECK(parse_duration("0.5ms") == 1ms);
  CHECK(parse_duration("1.0004s") == 1000ms);
}

TEST_CASE("cli duration: longer than milliseconds count saturates", "[cli][duration]") {
  CHECK(parse_duration("9300000000000000000ms") == std::chrono::milliseconds::max());
  CHECK(parse_duration("1000000000000000d") == std::chrono::milliseconds::max());
  CHECK(parse_duration("106751991167d") < std::chrono::milliseconds::max());
}

TEST_CASE("cli duration: anything else is refused", "[cli][duration]") {
  const std::string text = GENERATE("", "10", "1h3x", "h", "1h30", "-5s", "+5s", "1e3s", "1..5s",
                                    "5 s", "5S", "1h 30m", "ms", "5us", "1.5.h");
  INFO("'" << text << "'");
  CHECK_FALSE(parse_duration(text));
}

TEST_CASE("cli duration: the error names the text and shows examples", "[cli][duration]") {
  CHECK(kvcli::invalid_duration("1h3x") ==
        "invalid duration '1h3x': expected e.g. 90s, 10m, 1h30m");
}

TEST_CASE("cli duration: formatted for people with the two largest units", "[cli][duration]") {
  CHECK(kvcli::format_duration(250ms) == "250ms");
  CHECK(kvcli::format_duration(1500ms) == "1.5s");
  CHECK(kvcli::format_duration(599s) == "9m59s");
  CHECK(kvcli::format_duration(26h) == "1d2h");
}
