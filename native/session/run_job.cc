#include "session/run_job.h"

namespace inferline {
namespace {

Status AbortedStatus(const SessionCore& core) {
  return Status(ErrorCode::kAborted, "Session \"" + core.label() + "\" run was aborted");
}

}  // namespace

RunJob::RunJob(Napi::Env env, EnvState* env_state, std::unique_ptr<Plan> plan,
               std::shared_ptr<SessionLifecycle> lifecycle, bool cancellable)
    : Job(env_state),
      plan_(std::move(plan)),
      lifecycle_(std::move(lifecycle)),
      deferred_(Napi::Promise::Deferred::New(env)),
      cancellable_(cancellable) {}

Status RunJob::Init() {
  if (!cancellable_) return Status::Ok();
  OrtRunOptions* raw = nullptr;
  INFERLINE_RETURN_IF_ORT_ERROR(Api()->CreateRunOptions(&raw), "CreateRunOptions");
  run_options_.reset(raw);
  return Status::Ok();
}

void RunJob::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  // ORT's terminate flag is atomic and checked between kernels; the job (and its run options)
  // stays alive until Complete, which is after Execute returned.
  if (run_options_ != nullptr) {
    OrtStatus* status = Api()->RunOptionsSetTerminate(run_options_.get());
    if (status != nullptr) Api()->ReleaseStatus(status);  // cannot fail for valid options
  }
}

void RunJob::Execute() {
  if (cancelled_.load(std::memory_order_acquire)) {
    status_ = AbortedStatus(plan_->core());
    return;
  }
  status_ = plan_->Execute(run_options_.get());
}

void RunJob::Complete(Napi::Env env) {
  SessionLifecycle& lifecycle = *lifecycle_;
  --lifecycle.runs_in_flight;
  if (id != 0) lifecycle.cancellable.erase(id);
  if (cancelled_.load(std::memory_order_acquire)) status_ = AbortedStatus(plan_->core());
  Napi::Value result;
  if (status_.ok()) status_ = plan_->ToJs(env, &result);
  if (status_.ok()) {
    deferred_.Resolve(result);
  } else {
    deferred_.Reject(ToJsError(env, status_));
  }
  lifecycle.ResolveCloseWaitersIfIdle(env);
}

}  // namespace inferline
