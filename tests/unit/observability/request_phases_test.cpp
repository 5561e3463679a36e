#include "observability/request_phases.h"

#include <gtest/gtest.h>

#include <thread>

#include "observability/log.h"

namespace oeuvre::obs {
namespace {

using namespace std::chrono_literals;

TEST(RequestPhasesTest, TheInnermostPhaseIsChargedAndThePhasesAddUp) {
  RequestPhases phases;
  const auto started = std::chrono::steady_clock::now();
  {
    PhaseBinding binding(phases);
    PhaseScope handler(Phase::kHandler);
    std::this_thread::sleep_for(20ms);
    {
      PhaseScope store(Phase::kStore);
      std::this_thread::sleep_for(30ms);
    }
    PhaseScope serialising(Phase::kSerialising);
    std::this_thread::sleep_for(10ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(phases.spent(Phase::kHandler), 20ms);
  EXPECT_GE(phases.spent(Phase::kStore), 30ms);
  EXPECT_GE(phases.spent(Phase::kSerialising), 10ms);
  EXPECT_EQ(phases.spent(Phase::kCache), RequestPhases::Clock::duration::zero());
  // Nothing counted twice (the store's time is not also the handler's): the phases fit in the time.
  EXPECT_LE(phases.total(), elapsed);
  EXPECT_GE(phases.total(), 60ms);
}

TEST(RequestPhasesTest, ABindingAgainAddsToWhatWasSpent) {
  RequestPhases phases;
  {
    PhaseBinding binding(phases);
    PhaseScope auth(Phase::kAuthentication);
    std::this_thread::sleep_for(5ms);
  }
  {
    PhaseBinding binding(phases);  // an upload: admitted first, handled after its body arrived
    PhaseScope auth(Phase::kAuthentication);
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GE(phases.spent(Phase::kAuthentication), 10ms);
}

TEST(RequestPhasesTest, AScopeWithNothingBoundDoesNothing) {
  PhaseScope store(Phase::kStore);  // a job worker's store work: no request to charge
  SUCCEED();
}

TEST(RequestPhasesTest, PhaseNames) {
  EXPECT_EQ(phase_name(Phase::kAuthentication), "authentication");
  EXPECT_EQ(phase_name(Phase::kStore), "store");
  EXPECT_EQ(phase_name(Phase::kCache), "cache");
  EXPECT_EQ(phase_name(Phase::kHandler), "handler");
  EXPECT_EQ(phase_name(Phase::kSerialising), "serialising");
  EXPECT_EQ(phase_name(Phase::kPipeline), "pipeline");
}
}  // namespace
}  // namespace oeuvre::obs
