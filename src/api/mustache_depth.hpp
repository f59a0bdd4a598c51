// How deeply a Mustache template nests its sections, counted without building kainjow's tree.
#pragma once

#include <cstddef>
#include <string_view>

namespace kvstore::detail {

// The deepest nesting of section tags ({{#x}}, {{^x}}) in `mustache_template`, read with
// kainjow's tag rules, set-delimiter tags included. Scanning stops at the first malformed tag
// (kainjow reports it when it parses). kainjow builds, walks and destroys its tree
// recursively, so a template nesting tens of thousands of sections overflows the stack: Store
// checks this first.
std::size_t section_depth(std::string_view mustache_template);

}  // namespace kvstore::detail
