// The one way every configuration struct (Options, QuotaConfig, LastModifiedConfig) is checked:
// a negative size, count or interval throws InvalidConfig naming the struct's field.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "kvstore/errors.hpp"

namespace kvstore::detail {

// Throws InvalidConfig "kvstore: <operation>: <field> must not be negative (got <value>)" when
// `value` is negative; `field` names the struct too ("Options::busy_timeout").
inline void require_not_negative(std::string_view operation, std::string_view field,
                                 long long value, std::string_view unit = {}) {
  if (value >= 0) return;
  throw InvalidConfig("kvstore: " + std::string(operation) + ": " + std::string(field) +
                      " must not be negative (got " + std::to_string(value) + std::string(unit) +
                      ")");
}

inline void require_not_negative(std::string_view operation, std::string_view field,
                                 std::chrono::milliseconds value) {
  require_not_negative(operation, field, static_cast<long long>(value.count()), " ms");
}

}  // namespace kvstore::detail
