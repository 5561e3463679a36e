#pragma once
// Where a request's time went, for the log line of a slow one (SLOW_REQUEST_MS): a few steady_clock
// readings and no allocation, cheap enough to run on every request.
//
// The pipeline binds a request's RequestPhases to the thread serving it (PhaseBinding); any layer
// then marks its part with a PhaseScope (the store around each connection it holds, the
// authentication step, the handler, the serialisation of a JSON body, the cache when it lands).
// Time is charged to the innermost phase open, so the phases never overlap and add up to the time
// the binding lasted: the store's queries inside a handler count as store, not twice. A PhaseScope
// on a thread with nothing bound (a job worker, the CLI) does nothing.
//
// Thread-safety: a RequestPhases is used by one thread at a time (the one it is bound to).

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace oeuvre::obs {

enum class Phase : std::uint8_t {
  kPipeline,  // the chain's own work: request id, routing, logs, metrics
  kAuthentication,
  kStore,  // holding a database connection (waiting for one included)
  kCache,
  kHandler,
  kSerialising,  // a response body to text
};
inline constexpr std::size_t kPhaseCount = 6;

// The phase's name in logs: "pipeline", "authentication", "store", "cache", "handler",
// "serialising".
std::string_view phase_name(Phase phase);

class RequestPhases {
 public:
  using Clock = std::chrono::steady_clock;

  // Time spent in `phase` so far (while bound).
  Clock::duration spent(Phase phase) const { return spent_[static_cast<std::size_t>(phase)]; }
  // Sum over the phases.
  Clock::duration total() const;

  // For PhaseScope and PhaseBinding: charges the time since the last switch to the open phase and
  // makes `phase` the open one. Returns the phase that was open.
  Phase switch_to(Phase phase, Clock::time_point now) {
    spent_[static_cast<std::size_t>(current_)] += now - since_;
    const Phase previous = current_;
    current_ = phase;
    since_ = now;
    return previous;
  }
  void start(Clock::time_point now) {
    current_ = Phase::kPipeline;
    since_ = now;
  }

  // Cache lookups of the request that were answered from the cache (L1 or L2) or not.
  std::uint32_t cache_hits = 0;
  std::uint32_t cache_misses = 0;

 private:
  std::array<Clock::duration, kPhaseCount> spent_{};
  Phase current_ = Phase::kPipeline;
  Clock::time_point since_{};
};

// Binds `phases` to this thread, open in kPipeline, for the scope's lifetime; on the way out the
// open phase is charged up to then. Restores the previous binding (none, usually).
class PhaseBinding {
 public:
  explicit PhaseBinding(RequestPhases& phases);
  ~PhaseBinding();
  PhaseBinding(const PhaseBinding&) = delete;
  PhaseBinding& operator=(const PhaseBinding&) = delete;

 private:
  RequestPhases* previous_;
};

// Charges this scope's time to `phase` on the thread's bound RequestPhases, if any.
class PhaseScope {
 public:
  explicit PhaseScope(Phase phase);
  ~PhaseScope();
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  RequestPhases* phases_;
  Phase previous_ = Phase::kPipeline;
};

// Counts a cache lookup on the thread's bound RequestPhases, if any (the access log at debug level
// shows them).
void note_cache_lookup(bool hit);

}  // namespace oeuvre::obs
