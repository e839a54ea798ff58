// The native half of a JS Session (src/session/session.ts holds one as a private field).
#pragma once

#include <napi.h>

#include <memory>

#include "session/plan.h"
#include "session/session_core.h"
#include "session/session_lifecycle.h"
#include "session/sync_runner.h"
#include "session/sync_runner_pool.h"

namespace inferline {

class SessionWrap : public Napi::ObjectWrap<SessionWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  // Only constructed natively, from an External holding the created SessionCore.
  explicit SessionWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value Metadata(const Napi::CallbackInfo& info);
  Napi::Value RunSync(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value RunStaged(const Napi::CallbackInfo& info);
  Napi::Value RunBatch(const Napi::CallbackInfo& info);
  Napi::Value Submit(Napi::Env env, std::unique_ptr<Plan> plan, bool cancellable);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value EndProfiling(const Napi::CallbackInfo& info);
  bool RequireOpen(Napi::Env env);

  std::shared_ptr<SessionCore> core_;            // null after close()
  std::shared_ptr<SessionLifecycle> lifecycle_;  // shared with this session's run jobs
  SyncRunner sync_runner_;
  std::shared_ptr<SyncRunnerPool> async_runners_;  // lent to runStaged's runs, one per run in flight
  // A caller's getter read by runSync may itself call runSync: that nested call gets its own runner.
  bool sync_running_ = false;
};

}  // namespace inferline
