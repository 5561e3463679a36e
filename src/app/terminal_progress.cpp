#include "app/terminal_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace oeuvre {

StageClock::StageClock(bool enabled)
    : enabled_(enabled), last_(std::chrono::steady_clock::now()) {}

void StageClock::mark(std::string_view stage) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::fprintf(stderr, "%-28.*s %7.3f s\n", static_cast<int>(stage.size()), stage.data(),
               std::chrono::duration<double>(now - last_).count());
  last_ = now;
}

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::string_view stage, double fraction) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) return;
  last_ = now;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int width = 30, filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(width - filled), ' ');
  std::fprintf(stderr, "\r[%s] %3d%% %-28.28s", bar.c_str(), static_cast<int>(fraction * 100),
               std::string(stage).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  std::lock_guard lock(mutex_);
  if (drawn_) std::fprintf(stderr, "\r%*s\r", 70, "");
  drawn_ = false;
}

}  // namespace oeuvre
