#include "op_kinds.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace history {
namespace {

constexpr std::pair<std::string_view, OpKind> kOps[] = {
    {"set", OpKind::put},
    {"set_with_ttl", OpKind::put},
    {"set_json", OpKind::put},
    {"ttl.set", OpKind::put},
    {"stream", OpKind::put},
    {"tx.set", OpKind::put},
    {"tenant.set", OpKind::put},
    {"tenant.set_with_ttl", OpKind::put},
    {"tenant.set_json", OpKind::put},
    {"tenant.stream", OpKind::put},
    {"tenant_tx.set", OpKind::put},
    {"layer.set", OpKind::put},
    {"erase", OpKind::remove_key},
    {"tx.erase", OpKind::remove_key},
    {"tenant.erase", OpKind::remove_key},
    {"tenant_tx.erase", OpKind::remove_key},
    {"layer.erase", OpKind::remove_key},
    {"delete_group", OpKind::remove_group},
    {"tenant.delete_group", OpKind::remove_group},
    {"delete_prefix", OpKind::remove_prefix},
    {"get", OpKind::read_value},
    {"get_json", OpKind::read_value},
    {"reader", OpKind::read_value},
    {"tenant.get", OpKind::read_value},
    {"stat", OpKind::read_revision},
    {"get_all", OpKind::read_group},
    {"tenant.get_all", OpKind::read_group},
    {"layer.get", OpKind::layer_read},
    {"purge_expired", OpKind::purge},
    {"checkpoint", OpKind::maintenance},
    {"stream.abort", OpKind::never_published},
    {"background", OpKind::background},
    {"unexplained", OpKind::unexplained},
};

}  // namespace

OpKind kind_of(std::string_view op) {
  for (const auto& [name, kind] : kOps) {
    if (name == op) return kind;
  }
  throw std::invalid_argument("unknown operation " + std::string(op));
}

}  // namespace history
