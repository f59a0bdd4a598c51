#include "timestamp.hpp"

#include <cctype>
#include <cstdio>

namespace kvcli {
namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at text[pos]; advances pos.
std::optional<int> read_number(std::string_view text, std::size_t& pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view allowed) {
  if (pos >= text.size() || allowed.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// The fraction of a second after the '.', truncated to milliseconds.
milliseconds read_fraction(std::string_view text, std::size_t& pos) {
  long long ms = 0;
  std::size_t digits = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (digits++ < 3) ms = ms * 10 + (text[pos] - '0');
    ++pos;
  }
  for (; digits < 3; ++digits) ms *= 10;
  return milliseconds(ms);
}

// "Z" or "+HH:MM" / "-HH:MM": the offset to subtract to reach UTC.
std::optional<minutes> read_offset(std::string_view text, std::size_t& pos) {
  if (expect(text, pos, "Zz")) return minutes(0);
  if (pos >= text.size()) return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  if (!expect(text, pos, "+-")) return std::nullopt;
  const auto hh = read_number(text, pos, 2);
  if (!hh || !expect(text, pos, ":")) return std::nullopt;
  const auto mm = read_number(text, pos, 2);
  if (!mm) return std::nullopt;
  return minutes(sign * (*hh * 60 + *mm));
}

}  // namespace

std::string format_time(Clock::time_point time) {
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss clock{ms - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(clock.hours().count()),
                int(clock.minutes().count()), int(clock.seconds().count()),
                int(clock.subseconds().count()));
  return text;
}

std::optional<Clock::time_point> parse_time(std::string_view text) {
  std::size_t pos = 0;
  const auto y = read_number(text, pos, 4);
  if (!y || !expect(text, pos, "-")) return std::nullopt;
  const auto mo = read_number(text, pos, 2);
  if (!mo || !expect(text, pos, "-")) return std::nullopt;
  const auto d = read_number(text, pos, 2);
  if (!d || !expect(text, pos, "Tt ")) return std::nullopt;
  const auto h = read_number(text, pos, 2);
  if (!h || !expect(text, pos, ":")) return std::nullopt;
  const auto mi = read_number(text, pos, 2);
  if (!mi || !expect(text, pos, ":")) return std::nullopt;
  const auto s = read_number(text, pos, 2);
  if (!s) return std::nullopt;
  const auto fraction = expect(text, pos, ".") ? read_fraction(text, pos) : milliseconds(0);
  const auto offset = read_offset(text, pos);
  if (!offset || pos != text.size()) return std::nullopt;

  const year_month_day date{year(*y), month(unsigned(*mo)), day(unsigned(*d))};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  const sys_time<milliseconds> time =
      sys_days(date) + hours(*h) + minutes(*mi) + seconds(*s) + fraction - *offset;
  // Clock::time_point counts nanoseconds in 64 bits, up to 2262; from 1970 on, the difference
  // from now (what import and ttl compute) cannot overflow either.
  if (time < sys_days(year(1970) / 1 / 1) ||
      time > time_point_cast<milliseconds>(Clock::time_point::max()) - days(1)) {
    return std::nullopt;
  }
  return time_point_cast<Clock::duration>(time);
}

}  // namespace kvcli
