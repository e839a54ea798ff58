#include "session/staged_run_plan.h"

namespace inferline {

StagedRunPlan::StagedRunPlan(std::shared_ptr<SessionCore> core, std::shared_ptr<SyncRunnerPool> pool)
    : core_(std::move(core)), pool_(std::move(pool)), runner_(pool_->Take()) {}

StagedRunPlan::~StagedRunPlan() { pool_->Return(std::move(runner_)); }

Status StagedRunPlan::Prepare(const std::shared_ptr<SessionCore>& core, const std::shared_ptr<SyncRunnerPool>& pool,
                              const Napi::CallbackInfo& info, std::unique_ptr<StagedRunPlan>* out) {
  std::unique_ptr<StagedRunPlan> plan(new StagedRunPlan(core, pool));
  INFERLINE_RETURN_IF_ERROR(plan->runner_->Prepare(*core, info));
  // The pool thread reads the inputs' memory and writes into the staging buffer and the
  // preallocated outputs: each of them, exactly as the runner read it, must outlive the run.
  // (String inputs were copied into ORT's memory and need nothing.)
  for (const Napi::Value& data : plan->runner_->read_inputs()) {
    if (data.IsTypedArray()) plan->kept_.push_back(Napi::Persistent(data));
  }
  plan->kept_.push_back(Napi::Persistent(info[1]));
  for (const PreallocatedOutput& given : plan->runner_->preallocated()) {
    if (given.value != nullptr) plan->kept_.push_back(Napi::Persistent(given.data));
  }
  *out = std::move(plan);
  return Status::Ok();
}

Status StagedRunPlan::Execute(OrtRunOptions* run_options) {
  (void)run_options;
  return runner_->ExecutePrepared(*core_);
}

Status StagedRunPlan::ToJs(Napi::Env env, Napi::Value* out) { return runner_->Deliver(env, *core_, out); }

}  // namespace inferline
