// What a run job executes: a single run (RunPlan) or a dynamic batch (BatchPlan). Prepared and
// turned into JS on the JS thread; Execute is the only part that may run on the pool.
#pragma once

#include <napi.h>

#include "ort/ort_handles.h"
#include "session/session_core.h"

namespace inferline {

class Plan {
 public:
  virtual ~Plan() = default;
  // Runs the session. Touches no JS value. `run_options` may be null.
  virtual Status Execute(OrtRunOptions* run_options) = 0;
  // Builds what the run's promise resolves with (JS thread; after a successful Execute).
  virtual Status ToJs(Napi::Env env, Napi::Value* out) = 0;
  virtual const SessionCore& core() const = 0;
};

}  // namespace inferline
