#include "session/run_plan.h"

#include "tensor/js_to_ort.h"
#include "tensor/ort_to_js.h"

namespace inferline {
namespace {

Status ArgumentError(const SessionCore& core, const std::string& detail) {
  return Status(ErrorCode::kInvalidArg, "Session \"" + core.label() + "\" run: " + detail);
}

}  // namespace

Status RunPlan::Prepare(const std::shared_ptr<SessionCore>& core, const Napi::CallbackInfo& info, bool keep_alive,
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
  if (keep_alive) plan->kept_.reserve(inputs.size());
  for (uint32_t i = 0; i < inputs.size(); ++i) {
    Napi::Value data = datas.Get(i);
    ValueContext what{core->label(), "input", inputs[i].name};
    INFERLINE_RETURN_IF_ERROR(TensorFromJs(inputs[i], data, dims.Get(i), what, &plan->inputs_[i]));
    plan->input_values_[i] = plan->inputs_[i].get();
    // Strings were copied into ORT's own memory; only typed arrays must outlive the call.
    if (keep_alive && data.IsTypedArray()) plan->kept_.push_back(Napi::Persistent(data));
  }
  INFERLINE_RETURN_IF_ERROR(plan->PrepareOutputs(info.Length() > 2 ? info[2] : info.Env().Undefined(),
                                                 info.Length() > 3 ? info[3] : info.Env().Undefined(), keep_alive));
  *out = std::move(plan);
  return Status::Ok();
}

Status RunPlan::PrepareOutputs(const Napi::Value& indices, const Napi::Value& preallocated, bool keep_alive) {
  const std::vector<ValueInfo>& outputs = core_->outputs();
  if (indices.IsUndefined() || indices.IsNull()) {
    for (size_t i = 0; i < outputs.size(); ++i) output_indices_.push_back(i);
  } else {
    if (!indices.IsArray()) return ArgumentError(*core_, "output indices must be an array");
    Napi::Array list = indices.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value index = list.Get(i);
      double value = index.IsNumber() ? index.As<Napi::Number>().DoubleValue() : -1;
      if (!(value >= 0 && value < static_cast<double>(outputs.size())) || value != static_cast<double>(static_cast<size_t>(value))) {
        return ArgumentError(*core_, "output index out of range");
      }
      output_indices_.push_back(static_cast<size_t>(value));
    }
  }
  size_t count = output_indices_.size();
  output_names_.resize(count);
  outputs_.assign(count, nullptr);
  owned_outputs_.resize(count);
  for (size_t i = 0; i < count; ++i) output_names_[i] = core_->output_names()[output_indices_[i]];
  if (preallocated.IsUndefined() || preallocated.IsNull()) return Status::Ok();

  if (!preallocated.IsArray() || preallocated.As<Napi::Array>().Length() != count) {
    return ArgumentError(*core_, "preallocated outputs must parallel the output indices");
  }
  Napi::Array tensors = preallocated.As<Napi::Array>();
  preallocated_values_.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    Napi::Value tensor = tensors.Get(i);
    if (tensor.IsUndefined() || tensor.IsNull()) continue;
    const ValueInfo& declared = outputs[output_indices_[i]];
    ValueContext what{core_->label(), "output", declared.name};
    if (!tensor.IsObject()) return Status(ErrorCode::kInvalidArg, what.Text() + ": preallocated output must be a Tensor");
    Napi::Value data = tensor.As<Napi::Object>().Get("data");
    if (declared.element_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": string outputs cannot be preallocated");
    }
    INFERLINE_RETURN_IF_ERROR(
        TensorFromJs(declared, data, tensor.As<Napi::Object>().Get("dims"), what, &preallocated_values_[i]));
    outputs_[i] = preallocated_values_[i].get();
    if (keep_alive) {
      kept_.push_back(Napi::Persistent(data));
      preallocated_refs_.resize(count);
      preallocated_refs_[i] = Napi::Persistent(tensor);
    } else {
      preallocated_js_.resize(count);
      preallocated_js_[i] = tensor;
    }
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
    } else if (i < preallocated_js_.size() && !preallocated_js_[i].IsEmpty()) {
      tensor = preallocated_js_[i];
    } else {
      tensor = preallocated_refs_[i].Value();
    }
    result.Set(declared.name, tensor);
  }
  *out = result;
  return Status::Ok();
}

}  // namespace inferline
