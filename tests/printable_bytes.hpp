// Byte strings shown on one readable line, as kvstore's own error messages show group and key
// names (src/util/operation.cpp): printable ASCII as it is, every other byte as \xNN. For INFO
// output of binary test data, and as the oracle of the escaping in messages.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace kvtest {

inline std::string printable(std::string_view bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace kvtest
