#include "batch/batch_plan.h"

#include <cstring>
#include <string>

#include "tensor/ort_to_js.h"

namespace inferline {
namespace {

Status BatchError(const SessionCore& core, const std::string& detail) {
  return Status(ErrorCode::kInvalidArg, "Session \"" + core.label() + "\" batch: " + detail);
}

}  // namespace

Status BatchPlan::Prepare(const std::shared_ptr<SessionCore>& core, const Napi::Value& requests,
                          const Napi::Value& dims, const Napi::Value& preallocated, std::unique_ptr<BatchPlan>* out) {
  if (!requests.IsArray() || !dims.IsArray()) return BatchError(*core, "expected arrays of requests and dims");
  Napi::Array request_list = requests.As<Napi::Array>();
  Napi::Array dims_list = dims.As<Napi::Array>();
  uint32_t count = request_list.Length();
  if (count == 0 || dims_list.Length() != count) return BatchError(*core, "expected one dims entry per request");
  const std::vector<ValueInfo>& declared = core->inputs();
  std::unique_ptr<BatchPlan> plan(new BatchPlan(core));
  plan->inputs_.resize(declared.size());
  plan->rows_.assign(count, 0);
  for (BatchInput& input : plan->inputs_) input.parts.resize(count);

  for (uint32_t r = 0; r < count; ++r) {
    Napi::Value datas = request_list.Get(r);
    Napi::Value request_dims = dims_list.Get(r);
    if (!datas.IsArray() || !request_dims.IsArray() || datas.As<Napi::Array>().Length() != declared.size() ||
        request_dims.As<Napi::Array>().Length() != declared.size()) {
      return BatchError(*core, "request " + std::to_string(r) + " must give data and dims for each of the " +
                                   std::to_string(declared.size()) + " inputs");
    }
    for (uint32_t i = 0; i < declared.size(); ++i) {
      ValueContext what{core->label(), "input", declared[i].name};
      TensorData& part = plan->inputs_[i].parts[r];
      INFERLINE_RETURN_IF_ERROR(ReadTensorData(declared[i], datas.As<Napi::Array>().Get(i),
                                               request_dims.As<Napi::Array>().Get(i), what, &part));
      if (part.dims.empty()) return BatchError(*core, "input \"" + declared[i].name + "\" has no batch dimension");
      const std::vector<int64_t>& first = plan->inputs_[i].parts[0].dims;
      bool same_rest = part.dims.size() == first.size() && std::equal(part.dims.begin() + 1, part.dims.end(), first.begin() + 1);
      if (!same_rest) {
        return BatchError(*core, "input \"" + declared[i].name + "\" of request " + std::to_string(r) +
                                     " differs from request 0 beyond dim 0; such requests cannot share a batch");
      }
      size_t rows = static_cast<size_t>(part.dims[0]);
      if (i == 0) {
        plan->rows_[r] = rows;
      } else if (rows != plan->rows_[r]) {
        return BatchError(*core, "request " + std::to_string(r) + "'s inputs disagree on dim 0 (" +
                                     std::to_string(plan->rows_[r]) + " and " + std::to_string(rows) + ")");
      }
    }
    plan->total_rows_ += plan->rows_[r];
  }
  for (BatchInput& input : plan->inputs_) {
    input.dims = input.parts[0].dims;
    input.dims[0] = static_cast<int64_t>(plan->total_rows_);
  }
  INFERLINE_RETURN_IF_ERROR(plan->PrepareOutputs(preallocated));
  plan->requests_ref_ = Napi::Persistent(requests);
  *out = std::move(plan);
  return Status::Ok();
}

Status BatchPlan::PrepareOutputs(const Napi::Value& preallocated) {
  const std::vector<ValueInfo>& declared = core_->outputs();
  preallocated_.resize(declared.size());
  if (preallocated.IsUndefined() || preallocated.IsNull()) return Status::Ok();
  if (!preallocated.IsArray() || preallocated.As<Napi::Array>().Length() != declared.size()) {
    return BatchError(*core_, "preallocated outputs must be an array with one entry per session output");
  }
  Napi::Array tensors = preallocated.As<Napi::Array>();
  for (uint32_t o = 0; o < declared.size(); ++o) {
    Napi::Value tensor = tensors.Get(o);
    if (tensor.IsUndefined() || tensor.IsNull()) continue;
    ValueContext what{core_->label(), "output", declared[o].name};
    if (!tensor.IsObject()) return Status(ErrorCode::kInvalidArg, what.Text() + ": a preallocated batch output must be { data, dims }");
    if (declared[o].element_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": string outputs cannot be preallocated");
    }
    Napi::Object object = tensor.As<Napi::Object>();
    Napi::Value data = object.Get("data");
    Napi::Value output_dims = object.Get("dims");
    TensorData memory;
    INFERLINE_RETURN_IF_ERROR(ReadTensorData(declared[o], data, output_dims, what, &memory));
    if (memory.dims.empty() || memory.dims[0] != static_cast<int64_t>(total_rows_)) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": a preallocated batch output needs dim 0 = the batch's " +
                                                std::to_string(total_rows_) + " rows");
    }
    INFERLINE_RETURN_IF_ERROR(CreateOrtTensor(declared[o].element_type, memory.dims, memory.bytes, nullptr, memory.count,
                                              what, &preallocated_[o]));
  }
  preallocated_ref_ = Napi::Persistent(preallocated);
  return Status::Ok();
}

// Builds the batch's OrtValue for input `index`: over the request's own memory when the batch
// holds one request, else over a pooled buffer the parts are copied into, back to back.
Status BatchPlan::AssembleInput(size_t index, ValuePtr* value) {
  BatchInput& input = inputs_[index];
  const ValueInfo& declared = core_->inputs()[index];
  ValueContext what{core_->label(), "input", declared.name};
  size_t total = 0;
  for (const TensorData& part : input.parts) total += part.count;
  if (input.parts.size() == 1) {
    const TensorData& only = input.parts[0];
    return CreateOrtTensor(declared.element_type, input.dims, only.bytes, &only.strings, only.count, what, value);
  }
  if (input.parts[0].type->byte_size == 0) {
    std::vector<std::string> strings;
    strings.reserve(total);
    for (const TensorData& part : input.parts) strings.insert(strings.end(), part.strings.begin(), part.strings.end());
    return CreateOrtTensor(declared.element_type, input.dims, nullptr, &strings, total, what, value);
  }
  size_t element_size = input.parts[0].type->byte_size;
  input.buffer = core_->batch_buffers().Acquire(total * element_size);
  uint8_t* cursor = input.buffer.data.get();
  for (const TensorData& part : input.parts) {
    size_t bytes = part.count * element_size;
    if (bytes > 0) std::memcpy(cursor, part.bytes, bytes);
    cursor += bytes;
  }
  return CreateOrtTensor(declared.element_type, input.dims, input.buffer.data.get(), nullptr, total, what, value);
}

Status BatchPlan::Execute(OrtRunOptions* run_options) {
  size_t input_count = inputs_.size();
  std::vector<ValuePtr> values(input_count);
  std::vector<const OrtValue*> value_pointers(input_count);
  Status status;
  for (size_t i = 0; i < input_count && status.ok(); ++i) {
    status = AssembleInput(i, &values[i]);
    value_pointers[i] = values[i].get();
  }
  size_t output_count = core_->outputs().size();
  std::vector<OrtValue*> outputs(output_count, nullptr);
  for (size_t i = 0; i < output_count; ++i) outputs[i] = preallocated_[i].get();
  if (status.ok()) {
    status = FromOrt(Api()->Run(core_->session(), run_options, core_->input_names(), value_pointers.data(),
                                input_count, core_->output_names(), output_count, outputs.data()),
                     "Session \"" + core_->label() + "\" batch of " + std::to_string(rows_.size()) + " requests");
  }
  outputs_.resize(output_count);
  // Preallocated outputs stay owned by preallocated_ (ORT wrote into them, or left them alone).
  for (size_t i = 0; i < output_count; ++i) {
    if (preallocated_[i] == nullptr) outputs_[i].reset(outputs[i]);
  }
  // The input OrtValues point into the pooled buffers: release them before the buffers.
  values.clear();
  for (BatchInput& input : inputs_) core_->batch_buffers().Release(std::move(input.buffer));
  return status;
}

Status BatchPlan::ToJs(Napi::Env env, Napi::Value* out) {
  const std::vector<ValueInfo>& declared = core_->outputs();
  Napi::Array results = Napi::Array::New(env, rows_.size());
  std::vector<Napi::Object> objects(rows_.size());
  for (size_t r = 0; r < rows_.size(); ++r) {
    objects[r] = Napi::Object::New(env);
    results.Set(static_cast<uint32_t>(r), objects[r]);
  }
  for (size_t o = 0; o < declared.size(); ++o) {
    if (preallocated_[o] != nullptr) continue;  // the caller splits its own memory
    ValueContext what{core_->label(), "output", declared[o].name};
    JsOutput output;
    INFERLINE_RETURN_IF_ERROR(TakeOutput(env, std::move(outputs_[o]), what, &output));
    if (output.dims.empty() || output.dims[0] != static_cast<int64_t>(total_rows_)) {
      return Status(ErrorCode::kUnsupported,
                    what.Text() + ": dim 0 is " + (output.dims.empty() ? std::string("absent (a scalar)") : std::to_string(output.dims[0])) +
                        ", not the batch's " + std::to_string(total_rows_) +
                        " rows, so it cannot be split among the batched requests; load this model with batching: false");
    }
    size_t row_elements = total_rows_ == 0 ? 0 : output.count / total_rows_;
    std::vector<int64_t> dims = output.dims;
    size_t first_row = 0;
    for (size_t r = 0; r < rows_.size(); ++r) {
      dims[0] = static_cast<int64_t>(rows_[r]);
      Napi::Value tensor;
      INFERLINE_RETURN_IF_ERROR(MakeTensor(env, output, first_row * row_elements, rows_[r] * row_elements, dims, what, &tensor));
      objects[r].Set(declared[o].name, tensor);
      first_row += rows_[r];
    }
  }
  *out = results;
  return Status::Ok();
}

}  // namespace inferline
