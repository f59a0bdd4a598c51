// Transaction's methods: inside Store::transaction(fn) the calling thread owns the open
// transaction, so each Store method it calls joins it (Store::Impl::with_connection runs a joined
// call without locking).
#include "kvstore/store.hpp"

namespace kvstore {

std::optional<std::string> Transaction::get(std::string_view group, std::string_view key) {
  return store_.get(group, key);
}

void Transaction::set(std::string_view group, std::string_view key, std::string_view value) {
  store_.set(group, key, value);
}

void Transaction::set_with_ttl(std::string_view group, std::string_view key, std::string_view value,
                               std::chrono::milliseconds ttl) {
  store_.set_with_ttl(group, key, value, ttl);
}

bool Transaction::erase(std::string_view group, std::string_view key) {
  return store_.erase(group, key);
}

std::size_t Transaction::delete_group(std::string_view group) { return store_.delete_group(group); }

std::size_t Transaction::delete_prefix(std::string_view group_prefix) {
  return store_.delete_prefix(group_prefix);
}

std::map<std::string, std::string> Transaction::get_all(std::string_view group) {
  return store_.get_all(group);
}

std::size_t Transaction::count(std::string_view group) { return store_.count(group); }

}  // namespace kvstore
