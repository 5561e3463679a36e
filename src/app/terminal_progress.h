#pragma once
// What `oeuvre reconcile` shows on the terminal while it works: a one-line progress bar (drawn only
// when stderr is a terminal) and, with --timings, the seconds spent in each stage.

#include <chrono>
#include <mutex>
#include <string_view>

namespace oeuvre {

// Prints the seconds since the last mark, labelled with the stage that ended, to stderr.
// Thread-safety: external synchronisation needed.
class StageClock {
 public:
  explicit StageClock(bool enabled);
  void mark(std::string_view stage);

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_;
};

// A one-line progress bar on stderr, redrawn at most every 100 ms; finish() (or destruction) wipes
// it. Thread-safety: safe for concurrent use.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Shows `stage` at `fraction` (0..1) of the whole run.
  void update(std::string_view stage, double fraction);
  void finish();

 private:
  bool enabled_;
  std::mutex mutex_;  // guards last_ and drawn_
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace oeuvre
