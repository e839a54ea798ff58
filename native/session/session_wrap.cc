#include "session/session_wrap.h"

#include "runtime/env_state.h"
#include "batch/batch_plan.h"
#include "session/run_job.h"
#include "session/run_plan.h"
#include "session/staged_run_plan.h"

namespace inferline {
namespace {

Napi::Object ValueInfoToJs(Napi::Env env, const ValueInfo& info) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("name", info.name);
  object.Set("type", Napi::Number::New(env, info.is_tensor ? static_cast<int>(info.element_type) : -1));
  Napi::Array shape = Napi::Array::New(env, info.dims.size());
  for (size_t i = 0; i < info.dims.size(); ++i) {
    uint32_t index = static_cast<uint32_t>(i);
    if (info.dims[i] >= 0) {
      shape.Set(index, Napi::Number::New(env, static_cast<double>(info.dims[i])));
    } else if (i < info.symbolic_dims.size() && !info.symbolic_dims[i].empty()) {
      shape.Set(index, info.symbolic_dims[i]);
    } else {
      shape.Set(index, env.Null());
    }
  }
  object.Set("shape", shape);
  return object;
}

}  // namespace

Napi::Function SessionWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeSession",
                     {InstanceMethod<&SessionWrap::Metadata>("metadata"),
                      InstanceMethod<&SessionWrap::RunSync>("runSync"), InstanceMethod<&SessionWrap::Run>("run"),
                      InstanceMethod<&SessionWrap::RunStaged>("runStaged"),
                      InstanceMethod<&SessionWrap::RunBatch>("runBatch"),
                      InstanceMethod<&SessionWrap::Cancel>("cancel"), InstanceMethod<&SessionWrap::Close>("close"),
                      InstanceMethod<&SessionWrap::EndProfiling>("endProfiling")});
}

SessionWrap::SessionWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SessionWrap>(info),
      lifecycle_(std::make_shared<SessionLifecycle>()),
      async_runners_(std::make_shared<SyncRunnerPool>()) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    ThrowAsJs(info.Env(), Status(ErrorCode::kInvalidArg, "NativeSession is created by Session.create()"));
    return;
  }
  core_ = *info[0].As<Napi::External<std::shared_ptr<SessionCore>>>().Data();
}

bool SessionWrap::RequireOpen(Napi::Env env) {
  if (core_ != nullptr) return true;
  ThrowAsJs(env, Status(ErrorCode::kSessionClosed, "Session is closed"));
  return false;
}

Napi::Value SessionWrap::Metadata(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  Napi::Object result = Napi::Object::New(env);
  Napi::Array inputs = Napi::Array::New(env, core_->inputs().size());
  for (size_t i = 0; i < core_->inputs().size(); ++i) inputs.Set(static_cast<uint32_t>(i), ValueInfoToJs(env, core_->inputs()[i]));
  Napi::Array outputs = Napi::Array::New(env, core_->outputs().size());
  for (size_t i = 0; i < core_->outputs().size(); ++i) outputs.Set(static_cast<uint32_t>(i), ValueInfoToJs(env, core_->outputs()[i]));
  result.Set("inputs", inputs);
  result.Set("outputs", outputs);
  return result;
}

Napi::Value SessionWrap::RunSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  // A getter of the caller's may close the session mid-call: the run keeps its own reference.
  std::shared_ptr<SessionCore> core = core_;
  Napi::Value result;
  Status status;
  if (sync_running_) {
    SyncRunner nested;
    status = nested.Run(core, info, &result);
  } else {
    sync_running_ = true;
    status = sync_runner_.Run(core, info, &result);
    sync_running_ = false;
  }
  // Reading the arguments can run the caller's getters; if one threw, stop with its exception.
  if (env.IsExceptionPending()) return env.Undefined();
  if (!status.ok()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  return result;
}

// run(datas, dims, outputIndices?, preallocated?, cancellable?) => Promise, or with
// cancellable: [Promise, runId] for cancel(runId).
Napi::Value SessionWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  std::unique_ptr<RunPlan> plan;
  Status status = RunPlan::Prepare(core_, info, &plan);
  // A getter of the caller's that threw leaves its exception pending: no promise or job may be
  // created in that state (napi_create_promise would fail and the job settle nothing).
  if (!status.ok() || env.IsExceptionPending()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  bool cancellable = info.Length() > 4 && info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  return Submit(env, std::move(plan), cancellable);
}

// runStaged(datas, staging, outputIndices?, preallocated?) => Promise<undefined | Array>: run()
// without a signal, on a runner lent by the session (StagedRunPlan).
Napi::Value SessionWrap::RunStaged(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  std::unique_ptr<StagedRunPlan> plan;
  Status status = StagedRunPlan::Prepare(core_, async_runners_, info, &plan);
  if (!status.ok() || env.IsExceptionPending()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  return Submit(env, std::move(plan), /*cancellable=*/false);
}

// runBatch(requests, dims, preallocated?) => Promise<Array<{ [output]: Tensor }>>: see BatchPlan::Prepare.
Napi::Value SessionWrap::RunBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  std::unique_ptr<BatchPlan> plan;
  Status status = BatchPlan::Prepare(core_, info[0], info[1], info.Length() > 2 ? info[2] : info.Env().Undefined(), &plan);
  if (!status.ok() || env.IsExceptionPending()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  // A batch is never cancelled half-run: its requests are withdrawn before it forms, or not at all.
  return Submit(env, std::move(plan), /*cancellable=*/false);
}

Napi::Value SessionWrap::Submit(Napi::Env env, std::unique_ptr<Plan> plan, bool cancellable) {
  EnvState* state = EnvState::Get(env);
  auto job = std::make_unique<RunJob>(env, state, std::move(plan), lifecycle_, cancellable);
  Status status = job->Init();
  if (!status.ok()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  Napi::Promise promise = job->promise();
  ++lifecycle_->runs_in_flight;
  Napi::Value result = promise;
  if (cancellable) {
    job->id = lifecycle_->next_run_id++;
    if (lifecycle_->next_run_id == 0) lifecycle_->next_run_id = 1;  // 0 means "not cancellable"
    lifecycle_->cancellable[job->id] = job.get();
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, promise);
    pair.Set(1u, Napi::Number::New(env, job->id));
    result = pair;
  }
  state->Submit(std::move(job));
  return result;
}

Napi::Value SessionWrap::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    ThrowAsJs(env, Status(ErrorCode::kInvalidArg, "cancel(runId: number)"));
    return env.Undefined();
  }
  auto found = lifecycle_->cancellable.find(info[0].As<Napi::Number>().Uint32Value());
  if (found != lifecycle_->cancellable.end()) found->second->Cancel();
  return env.Undefined();
}

// Stops new runs at once; the promise resolves when the runs in flight have completed. The
// OrtSession itself is released when the last of them lets go of it.
Napi::Value SessionWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Promise::Deferred waiter = Napi::Promise::Deferred::New(env);
  Napi::Promise promise = waiter.Promise();
  core_.reset();
  lifecycle_->closed = true;
  lifecycle_->close_waiters.push_back(std::move(waiter));
  lifecycle_->ResolveCloseWaitersIfIdle(env);
  return promise;
}

Napi::Value SessionWrap::EndProfiling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RequireOpen(env)) return env.Undefined();
  const OrtApi* api = Api();
  OrtAllocator* allocator = nullptr;
  char* path = nullptr;
  Status status = FromOrt(api->GetAllocatorWithDefaultOptions(&allocator), "endProfiling");
  if (status.ok()) status = FromOrt(api->SessionEndProfiling(core_->session(), allocator, &path), "endProfiling");
  if (!status.ok()) {
    ThrowAsJs(env, status);
    return env.Undefined();
  }
  Napi::String result = Napi::String::New(env, path != nullptr ? path : "");
  if (path != nullptr) {
    OrtStatus* freed = api->AllocatorFree(allocator, path);
    if (freed != nullptr) api->ReleaseStatus(freed);
  }
  return result;
}

}  // namespace inferline
