#include "session/output_selection.h"

#include "tensor/js_to_ort.h"

namespace inferline {
namespace {

Status ArgumentError(const SessionCore& core, const char* call, const std::string& detail) {
  return Status(ErrorCode::kInvalidArg, "Session \"" + core.label() + "\" " + call + ": " + detail);
}

}  // namespace

Status ReadOutputSelection(const SessionCore& core, const char* call, const Napi::Value& indices,
                           const Napi::Value& preallocated, std::vector<size_t>* output_indices,
                           std::vector<PreallocatedOutput>* preallocated_outputs) {
  const std::vector<ValueInfo>& outputs = core.outputs();
  output_indices->clear();
  preallocated_outputs->clear();
  if (indices.IsUndefined() || indices.IsNull()) {
    for (size_t i = 0; i < outputs.size(); ++i) output_indices->push_back(i);
  } else {
    if (!indices.IsArray()) return ArgumentError(core, call, "output indices must be an array");
    Napi::Array list = indices.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value index = list.Get(i);
      double value = index.IsNumber() ? index.As<Napi::Number>().DoubleValue() : -1;
      if (!(value >= 0 && value < static_cast<double>(outputs.size())) ||
          value != static_cast<double>(static_cast<size_t>(value))) {
        return ArgumentError(core, call, "output index out of range");
      }
      output_indices->push_back(static_cast<size_t>(value));
    }
  }
  if (preallocated.IsUndefined() || preallocated.IsNull()) return Status::Ok();

  size_t count = output_indices->size();
  if (!preallocated.IsArray() || preallocated.As<Napi::Array>().Length() != count) {
    return ArgumentError(core, call, "preallocated outputs must parallel the output indices");
  }
  Napi::Array tensors = preallocated.As<Napi::Array>();
  preallocated_outputs->resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    Napi::Value tensor = tensors.Get(i);
    if (tensor.IsUndefined() || tensor.IsNull()) continue;
    const ValueInfo& declared = outputs[(*output_indices)[i]];
    ValueContext what{core.label(), "output", declared.name};
    if (!tensor.IsObject()) return Status(ErrorCode::kInvalidArg, what.Text() + ": preallocated output must be a Tensor");
    if (declared.element_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": string outputs cannot be preallocated");
    }
    PreallocatedOutput& entry = (*preallocated_outputs)[i];
    entry.tensor = tensor;
    entry.data = tensor.As<Napi::Object>().Get("data");
    INFERLINE_RETURN_IF_ERROR(TensorFromJs(declared, entry.data, tensor.As<Napi::Object>().Get("dims"), what, &entry.value));
  }
  return Status::Ok();
}

}  // namespace inferline
