#include "observability/request_phases.h"

namespace oeuvre::obs {

namespace {

thread_local RequestPhases* t_phases = nullptr;

}  // namespace

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::kPipeline:
      return "pipeline";
    case Phase::kAuthentication:
      return "authentication";
    case Phase::kStore:
      return "store";
    case Phase::kCache:
      return "cache";
    case Phase::kHandler:
      return "handler";
    case Phase::kSerialising:
      return "serialising";
  }
  return "pipeline";
}

RequestPhases::Clock::duration RequestPhases::total() const {
  Clock::duration sum{};
  for (const auto& d : spent_) sum += d;
  return sum;
}

PhaseBinding::PhaseBinding(RequestPhases& phases) : previous_(t_phases) {
  phases.start(RequestPhases::Clock::now());
  t_phases = &phases;
}

PhaseBinding::~PhaseBinding() {
  if (t_phases != nullptr) t_phases->switch_to(Phase::kPipeline, RequestPhases::Clock::now());
  t_phases = previous_;
}

PhaseScope::PhaseScope(Phase phase) : phases_(t_phases) {
  if (phases_ != nullptr) previous_ = phases_->switch_to(phase, RequestPhases::Clock::now());
}

PhaseScope::~PhaseScope() {
  // The binding may have ended first only if the scopes were not nested; they are (RAII).
  if (phases_ != nullptr && phases_ == t_phases)
    phases_->switch_to(previous_, RequestPhases::Clock::now());
}

void note_cache_lookup(bool hit) {
  if (t_phases == nullptr) return;
  if (hit) {
    ++t_phases->cache_hits;
  } else {
    ++t_phases->cache_misses;
  }
}

}  // namespace oeuvre::obs
