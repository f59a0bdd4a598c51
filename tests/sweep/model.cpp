#include "model.hpp"

#include <sstream>

#include "fault_control.hpp"

namespace sweep {

using kvfault::PauseAllocationCounting;
using kvstore::EventType;

void Model::log(EventType type, std::string_view group, std::string_view key,
                std::optional<std::string_view> value) {
  events_.push_back({type, std::string(group), std::string(key),
                     value ? std::optional<std::string>(*value) : std::nullopt});
  ++revision_;
}

void Model::committed() {
  if (batch_depth_ == 0) history_.push_back(state());
}

void Model::seed(std::string_view group, std::string_view key, Row row) {
  const PauseAllocationCounting pause;
  rows_[{std::string(group), std::string(key)}] = std::move(row);
  history_.back() = state();
}

void Model::set(std::string_view group, std::string_view key, std::string_view value, bool expires,
                std::string_view tag, EventHolds holds, bool expired) {
  const PauseAllocationCounting pause;
  rows_[{std::string(group), std::string(key)}] =
      Row{std::string(value), std::string(tag), expires, expired};
  log(EventType::set, group, key, holds == EventHolds::value ? std::optional(value) : std::nullopt);
  committed();
}

bool Model::erase(std::string_view group, std::string_view key) {
  const PauseAllocationCounting pause;
  const auto it = rows_.find({std::string(group), std::string(key)});
  if (it == rows_.end()) return false;
  const bool live = !it->second.expired;
  rows_.erase(it);
  log(live ? EventType::erase : EventType::expire, group, key);
  committed();
  return live;
}

std::size_t Model::delete_group(std::string_view group) {
  const PauseAllocationCounting pause;
  const Batch batch(*this);
  std::size_t rows = 0, live = 0;
  for (auto it = rows_.begin(); it != rows_.end();) {
    if (it->first.first != group) {
      ++it;
      continue;
    }
    ++rows;
    live += !it->second.expired;
    it = rows_.erase(it);
  }
  if (rows > 0) log(EventType::delete_group, group, {});
  return live;
}

std::size_t Model::delete_prefix(std::string_view prefix) {
  const PauseAllocationCounting pause;
  const Batch batch(*this);
  std::vector<std::string> groups;
  for (const auto& [key, row] : rows_) {
    if (key.first.starts_with(prefix) && (groups.empty() || groups.back() != key.first)) {
      groups.push_back(key.first);
    }
  }
  std::size_t live = 0;
  for (const auto& group : groups) live += delete_group(group);
  return live;
}

std::size_t Model::purge_expired() {
  const PauseAllocationCounting pause;
  const Batch batch(*this);
  std::size_t purged = 0;
  for (auto it = rows_.begin(); it != rows_.end();) {
    if (!it->second.expired) {
      ++it;
      continue;
    }
    log(EventType::expire, it->first.first, it->first.second);
    it = rows_.erase(it);
    ++purged;
  }
  return purged;
}

std::size_t Model::namespace_keys(std::string_view ns) const {
  const PauseAllocationCounting pause;
  const auto prefix = std::string(ns) + ":";
  std::size_t keys = 0;
  for (const auto& [key, row] : rows_) keys += key.first.starts_with(prefix) && !row.expired;
  return keys;
}

bool Model::has(std::string_view group, std::string_view key) const {
  const PauseAllocationCounting pause;
  const auto it = rows_.find({std::string(group), std::string(key)});
  return it != rows_.end() && !it->second.expired;
}

bool Model::expires(std::string_view group, std::string_view key) const {
  const PauseAllocationCounting pause;
  const auto it = rows_.find({std::string(group), std::string(key)});
  return it != rows_.end() && !it->second.expired && it->second.expires;
}

State Model::state() const {
  const PauseAllocationCounting pause;
  State state;
  for (const auto& [key, row] : rows_) {
    if (!row.expired) state.rows.emplace(key, row);
  }
  state.revision = revision_;
  return state;
}

State state_of(kvstore::Store& store) {
  State state;
  for (const auto& group : store.groups()) {
    for (const auto& [key, value] : store.get_all(group)) {
      const auto meta = store.stat(group, key);
      Row row{value, meta ? meta->tag : "", meta && meta->expires_at.has_value(), false};
      state.rows.emplace(Key{group, key}, std::move(row));
    }
  }
  state.revision = store.revision();
  return state;
}

std::string describe(const State& state) {
  std::ostringstream out;
  out << "revision " << state.revision << ", " << state.rows.size() << " rows:";
  for (const auto& [key, row] : state.rows) {
    out << " " << key.first << "/" << key.second << "=";
    if (row.value.size() > 24) {
      out << "<" << row.value.size() << " bytes>";
    } else {
      out << row.value;
    }
    if (!row.tag.empty()) out << "[" << row.tag << "]";
    if (row.expires) out << "(ttl)";
  }
  return out.str();
}

}  // namespace sweep
