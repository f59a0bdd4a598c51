#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace kvcli {
namespace {
constexpr int kBarWidth = 30;
}

Progress::Progress(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && isatty(STDERR_FILENO)) {}

Progress::~Progress() {
  if (enabled_ && shown_percent_ >= 0) std::fprintf(stderr, "\r\033[K");
}

void Progress::advance() {
  ++done_;
  if (!enabled_ || total_ == 0) return;
  const int percent = static_cast<int>(done_ * 100 / total_);
  if (percent == shown_percent_) return;
  shown_percent_ = percent;
  draw();
}

void Progress::draw() const {
  const int filled = shown_percent_ * kBarWidth / 100;
  std::fprintf(stderr, "\r%s [%s%s] %3d%% (%zu/%zu)", label_.c_str(),
               std::string(filled, '#').c_str(), std::string(kBarWidth - filled, ' ').c_str(),
               shown_percent_, done_, total_);
  std::fflush(stderr);
}

}  // namespace kvcli
