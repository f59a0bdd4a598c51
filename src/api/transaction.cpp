// Transaction's methods: inside Store::transaction(fn) the calling thread owns the open
// transaction, so each Store method it calls joins it (Store::Impl::with_connection runs a joined
// call without locking).
#include "kvstore/store.hpp"

namespace kvstore {

std::optional<std::string> Transaction::get(std::string_view group, std::string_view key) const {
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

bool Transaction::expire(std::string_view group, std::string_view key,
                         std::chrono::milliseconds ttl) {
  return store_.expire(group, key, ttl);
}

bool Transaction::persist(std::string_view group, std::string_view key) {
  return store_.persist(group, key);
}

std::optional<TimeToLive> Transaction::ttl(std::string_view group, std::string_view key) const {
  return store_.ttl(group, key);
}

std::vector<std::string> Transaction::keys(std::string_view group) const {
  return store_.keys(group);
}

std::size_t Transaction::delete_group(std::string_view group) { return store_.delete_group(group); }

std::size_t Transaction::delete_prefix(std::string_view group_prefix) {
  return store_.delete_prefix(group_prefix);
}

std::map<std::string, std::string> Transaction::get_all(std::string_view group) const {
  return store_.get_all(group);
}

std::size_t Transaction::count(std::string_view group) const { return store_.count(group); }

}  // namespace kvstore
