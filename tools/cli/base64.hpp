// Standard base64 (RFC 4648, with padding) through libsodium, for values that are not UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kvcli {

std::string base64_encode(std::string_view bytes);

// nullopt if `text` is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace kvcli
