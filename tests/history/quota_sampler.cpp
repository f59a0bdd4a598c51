#include "quota_sampler.hpp"

#include <sqlite3.h>

#include <chrono>
#include <optional>

#include "raw_db.hpp"

namespace history {
namespace {

using namespace std::chrono_literals;

// The namespace's rows, counted by byte range like kvstore's own prefix queries: "acme:" up to
// "acme;" (';' follows ':'). Expired rows count too: the tenant writes no short TTL.
constexpr const char* kCount = "SELECT count(*) FROM kv WHERE grp >= 'acme:' AND grp < 'acme;'";

}  // namespace

QuotaSampler::QuotaSampler(std::string path, std::size_t max_keys)
    : path_(std::move(path)), max_keys_(max_keys) {
  if (max_keys_ > 0) thread_ = std::thread([this] { sample_until_stopped(); });
}

void QuotaSampler::stop() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stopping_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QuotaSampler::sample_until_stopped() {
  std::optional<kvtest::RawDb> db;
  try {
    db.emplace(path_, SQLITE_OPEN_READONLY);
  } catch (const std::exception&) {
    return;  // no sample at all: the checker reports it
  }
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    try {
      // One statement: one read transaction, one consistent count.
      const auto rows = db->rows(kCount);
      if (!rows.empty() && !rows[0].empty()) {
        ++samples_;
        const auto count = std::stoull(rows[0][0]);
        if (count > max_keys_) {
          Line line;
          line.tag = Line::Tag::sample;
          line.time = now();
          line.count = count;
          over_.push_back(line);
        }
      }
    } catch (const std::exception&) {
      // A sample that could not be read (the file busy in recovery) is skipped.
    }
    lock.lock();
    stopping_.wait_for(lock, 2ms, [this] { return stop_; });
  }
}

std::vector<Line> QuotaSampler::lines() const {
  Line quota;
  quota.tag = Line::Tag::quota;
  quota.limit = max_keys_;
  quota.count = samples_;
  std::vector<Line> out{quota};
  out.insert(out.end(), over_.begin(), over_.end());
  return out;
}

}  // namespace history
