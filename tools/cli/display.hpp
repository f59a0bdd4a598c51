// Bytes shown to people: on a terminal and in error messages, control characters and bytes that
// are not UTF-8 are escaped so that a value can never garble the screen or split a line.
#pragma once

#include <string>
#include <string_view>

namespace kvcli {

// `bytes` with \n, \t, \r, \\ and other control characters and, if the text is not valid UTF-8,
// every byte >= 0x80 escaped (\xNN). With keep_lines (for text), \n, \t and \\ stay as
// they are.
std::string printable(std::string_view bytes, bool keep_lines = false);

// "group/key", printable.
std::string key_name(std::string_view group, std::string_view key);

// Columns `text` takes on a terminal (UTF-8 continuation bytes take none).
std::size_t display_width(std::string_view text);

}  // namespace kvcli
