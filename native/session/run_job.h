// An asynchronous run or batch: prepared on the JS thread, executed on the pool, settled on the JS thread.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "runtime/job.h"
#include "session/plan.h"
#include "session/session_lifecycle.h"

namespace inferline {

class RunJob : public Job {
 public:
  // With `cancellable`, the job gets its own OrtRunOptions so that Cancel can terminate it
  // mid-run; without, it passes none (cheaper, and the common case).
  RunJob(Napi::Env env, EnvState* env_state, std::unique_ptr<Plan> plan,
         std::shared_ptr<SessionLifecycle> lifecycle, bool cancellable);

  Napi::Promise promise() const { return deferred_.Promise(); }
  Status Init();

  // JS thread. Drops the run if it has not started, terminates it if it has; the promise
  // rejects with ERR_INFERLINE_ABORTED either way.
  void Cancel();

  uint32_t id = 0;  // key in lifecycle->cancellable; 0 when not cancellable

  void Execute() override;
  void Complete(Napi::Env env) override;

 private:
  std::unique_ptr<Plan> plan_;
  std::shared_ptr<SessionLifecycle> lifecycle_;
  Napi::Promise::Deferred deferred_;
  RunOptionsPtr run_options_;            // only for cancellable runs
  bool cancellable_;
  std::atomic<bool> cancelled_{false};   // set on the JS thread, read on the pool
  Status status_;                        // written by Execute, read by Complete
};

}  // namespace inferline
