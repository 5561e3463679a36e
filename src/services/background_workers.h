#pragma once
// BackgroundWorkers: a small pool of threads that each call one step function in a loop — the
// shape both queues of the server share (files to parse, reconciliation jobs to run). A step
// returns true when it did work (the worker calls it again at once), false when there was nothing
// to do, or an error (logged; the store may be down). An idle worker sleeps for poll_interval or
// until wake(). A step that throws is logged as an error and the loop goes on: a bug or an exhausted
// allocation in one piece of work must not take the server down.
//
// Thread-safety: all methods are safe for concurrent use. stopping() may be read from steps.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace oeuvre::services {

class BackgroundWorkers {
 public:
  // what: the work, for log lines ("file parsing", "reconciliation jobs").
  BackgroundWorkers(std::string what, std::chrono::milliseconds poll_interval, std::function<Result<bool>()> step);
  ~BackgroundWorkers();  // stops the threads
  BackgroundWorkers(const BackgroundWorkers&) = delete;
  BackgroundWorkers& operator=(const BackgroundWorkers&) = delete;

  // Starts `count` threads; a no-op while running or when count <= 0.
  void start(int count);
  // Wakes one idle worker.
  void wake();
  // Raises stopping(), wakes every worker and joins them (a running step sees stopping() and ends
  // its work as it sees fit).
  void stop();
  const std::atomic<bool>& stopping() const { return stopping_; }
  // Sleeps for `duration`, or less when stop() is called meanwhile (a step backing off).
  void sleep(std::chrono::milliseconds duration);

 private:
  void run();

  const std::string what_;
  const std::chrono::milliseconds poll_interval_;
  const std::function<Result<bool>()> step_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable stop_;  // wakes sleep()
  bool woken_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace oeuvre::services
