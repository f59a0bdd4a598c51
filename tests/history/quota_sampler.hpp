// The parent's view of the tenant's quota while the workers run: a raw read-only SQLite
// connection counts the namespace's rows in one statement every few milliseconds. Samples over
// the quota are kept for the history (rule 6).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "record.hpp"

namespace history {

class QuotaSampler {
 public:
  // Samples until stop(); does nothing when max_keys is 0 (unlimited).
  QuotaSampler(std::string path, std::size_t max_keys);
  ~QuotaSampler() { stop(); }
  QuotaSampler(const QuotaSampler&) = delete;
  QuotaSampler& operator=(const QuotaSampler&) = delete;

  void stop();
  // The quota line and a sample line per sample over the quota. After stop().
  std::vector<Line> lines() const;

 private:
  void sample_until_stopped();

  const std::string path_;
  const std::size_t max_keys_;
  std::mutex mutex_;  // guards stop_
  std::condition_variable stopping_;
  bool stop_ = false;
  std::uint64_t samples_ = 0;  // written by the thread, read after it is joined
  std::vector<Line> over_;
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace history
