// An async run() on runSync's machinery (SyncRunner): a staging buffer of the run's own carries
// the feed dims in and the output shapes out, small outputs come back inside it, an input's
// OrtValue is reused while the caller passes the same memory, and once output shapes are known
// ORT writes them straight into the buffer on the pool thread. Completing the run then costs the
// JS thread a few list entries instead of a Tensor, an ArrayBuffer and a dims array per output
// built through Node-API; src/session/sync-staging.ts builds the results in JS.
//
// Used for runs without an abort signal (a terminated run must not be retried, as a failed
// prediction is); those take RunPlan.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "session/plan.h"
#include "session/session_core.h"
#include "session/sync_runner.h"
#include "session/sync_runner_pool.h"

namespace inferline {

class StagedRunPlan : public Plan {
 public:
  // runStaged(datas, staging, outputIndices?, preallocated?), read as SyncRunner::Run reads them.
  // On success `out` holds the plan and a runner taken from `pool` until the plan is destroyed.
  // The caller must check for a pending exception afterwards (a getter may have thrown).
  static Status Prepare(const std::shared_ptr<SessionCore>& core, const std::shared_ptr<SyncRunnerPool>& pool,
                        const Napi::CallbackInfo& info, std::unique_ptr<StagedRunPlan>* out);
  ~StagedRunPlan() override;

  // `run_options` is always null here: cancellable runs take RunPlan.
  Status Execute(OrtRunOptions* run_options) override;
  // Resolves with what runSync returns: undefined, or an Array of the outputs not in the buffer.
  Status ToJs(Napi::Env env, Napi::Value* out) override;
  const SessionCore& core() const override { return *core_; }

 private:
  StagedRunPlan(std::shared_ptr<SessionCore> core, std::shared_ptr<SyncRunnerPool> pool);

  std::shared_ptr<SessionCore> core_;
  std::shared_ptr<SyncRunnerPool> pool_;
  std::unique_ptr<SyncRunner> runner_;              // borrowed from pool_ until destruction
  std::vector<Napi::Reference<Napi::Value>> kept_;  // inputs, staging buffer, preallocated data
};

}  // namespace inferline
