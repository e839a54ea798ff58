#include "session/run_plan.h"

#include "session/output_selection.h"
#include "tensor/js_to_ort.h"
#include "tensor/ort_to_js.h"

namespace inferline {
namespace {

Status ArgumentError(const SessionCore& core, const std::string& detail) {
  return Status(ErrorCode::kInvalidArg, "Session \"" + core.label() + "\" run: " + detail);
}

}  // namespace

Status RunPlan::Prepare(const std::shared_ptr<SessionCore>& core, const Napi::CallbackInfo& info,
                        std::unique_ptr<RunPlan>* out) {
  std::unique_ptr<RunPlan> plan(new RunPlan(core));
  const std::vector<ValueInfo>& inputs = core->inputs();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsArray()) {
    return ArgumentError(*core, "expected arrays of input data and dims");
  }
  Napi::Array datas = info[0].As<Napi::Array>();
  Napi::Array dims = info[1].As<Napi::Array>();
  if (datas.Length() != inputs.size() || dims.Length() != inputs.size()) {
    return ArgumentError(*core, "expected " + std::to_string(inputs.size()) + " inputs, received " +
                                    std::to_string(datas.Length()));
  }
  plan->inputs_.resize(inputs.size());
  plan->input_values_.resize(inputs.size());
  plan->kept_.reserve(inputs.size());
  for (uint32_t i = 0; i < inputs.size(); ++i) {
    Napi::Value data = datas.Get(i);
    ValueContext what{core->label(), "input", inputs[i].name};
    INFERLINE_RETURN_IF_ERROR(TensorFromJs(inputs[i], data, dims.Get(i), what, &plan->inputs_[i]));
    plan->input_values_[i] = plan->inputs_[i].get();
    // Strings were copied into ORT's own memory; only typed arrays must outlive the call.
    if (data.IsTypedArray()) plan->kept_.push_back(Napi::Persistent(data));
  }
  INFERLINE_RETURN_IF_ERROR(plan->PrepareOutputs(info.Length() > 2 ? info[2] : info.Env().Undefined(),
                                                 info.Length() > 3 ? info[3] : info.Env().Undefined()));
  *out = std::move(plan);
  return Status::Ok();
}

Status RunPlan::PrepareOutputs(const Napi::Value& indices, const Napi::Value& preallocated) {
  std::vector<PreallocatedOutput> given;
  INFERLINE_RETURN_IF_ERROR(ReadOutputSelection(*core_, "run", indices, preallocated, &output_indices_, &given));
  size_t count = output_indices_.size();
  output_names_.resize(count);
  outputs_.assign(count, nullptr);
  owned_outputs_.resize(count);
  for (size_t i = 0; i < count; ++i) output_names_[i] = core_->output_names()[output_indices_[i]];
  if (given.empty()) return Status::Ok();
  preallocated_values_.resize(count);
  preallocated_refs_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    if (given[i].value == nullptr) continue;
    kept_.push_back(Napi::Persistent(given[i].data));
    preallocated_refs_[i] = Napi::Persistent(given[i].tensor);
    preallocated_values_[i] = std::move(given[i].value);
    outputs_[i] = preallocated_values_[i].get();
  }
  return Status::Ok();
}

Status RunPlan::Execute(OrtRunOptions* run_options) {
  OrtStatus* status = Api()->Run(core_->session(), run_options, core_->input_names(), input_values_.data(),
                                 input_values_.size(), output_names_.data(), output_names_.size(), outputs_.data());
  if (status != nullptr) {
    // ORT leaves caller-given outputs alone; anything it allocated before failing is released.
    for (size_t i = 0; i < outputs_.size(); ++i) {
      bool preallocated = i < preallocated_values_.size() && preallocated_values_[i] != nullptr;
      if (!preallocated && outputs_[i] != nullptr) Api()->ReleaseValue(outputs_[i]);
      outputs_[i] = preallocated ? outputs_[i] : nullptr;
    }
    return FromOrt(status, "Session \"" + core_->label() + "\" run");
  }
  for (size_t i = 0; i < outputs_.size(); ++i) {
    bool preallocated = i < preallocated_values_.size() && preallocated_values_[i] != nullptr;
    if (!preallocated) owned_outputs_[i].reset(outputs_[i]);
  }
  return Status::Ok();
}

Status RunPlan::ToJs(Napi::Env env, Napi::Value* out) {
  Napi::Object result = Napi::Object::New(env);
  const std::vector<ValueInfo>& outputs = core_->outputs();
  for (size_t i = 0; i < output_indices_.size(); ++i) {
    const ValueInfo& declared = outputs[output_indices_[i]];
    Napi::Value tensor;
    if (owned_outputs_[i] != nullptr) {
      ValueContext what{core_->label(), "output", declared.name};
      INFERLINE_RETURN_IF_ERROR(TensorToJs(env, std::move(owned_outputs_[i]), what, &tensor));
    } else {
      tensor = preallocated_refs_[i].Value();
    }
    result.Set(declared.name, tensor);
  }
  *out = result;
  return Status::Ok();
}

}  // namespace inferline
