// A progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <cstddef>
#include <string>

namespace kvcli {

class Progress {
 public:
  // `enabled` is further limited to a terminal stderr.
  Progress(std::string label, std::size_t total, bool enabled);
  ~Progress();  // erases the bar
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // One more item done; redraws when the percentage changes.
  void advance();

 private:
  void draw() const;
  std::string label_;
  std::size_t total_, done_ = 0;
  int shown_percent_ = -1;  // last percentage drawn
  bool enabled_;
};

}  // namespace kvcli
