#include "session/sync_runner.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace inferline {
namespace {

constexpr double kWhereReturned = -1;
constexpr double kWherePreallocated = -2;

Status ArgumentError(const SessionCore& core, const char* call, const std::string& detail) {
  return Status(ErrorCode::kInvalidArg, "Session \"" + core.label() + "\" " + call + ": " + detail);
}

bool SameDims(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

Status SyncRunner::ReadStaging(const SessionCore& core, const Napi::Value& value, Staging* out) {
  void* data = nullptr;
  size_t byte_length = 0;
  if (!value.IsArrayBuffer() || napi_get_arraybuffer_info(value.Env(), value, &data, &byte_length) != napi_ok ||
      data == nullptr || byte_length < sizeof(double) || reinterpret_cast<uintptr_t>(data) % alignof(double) != 0) {
    return ArgumentError(core, call_, "expected the staging ArrayBuffer");
  }
  double capacity = static_cast<double*>(data)[0];
  double room = static_cast<double>(byte_length / sizeof(double) - 1);
  if (!(capacity >= 0 && capacity <= room) || capacity != std::floor(capacity)) {
    return ArgumentError(core, call_, "the staging buffer's list length does not fit the buffer");
  }
  out->base = static_cast<uint8_t*>(data);
  out->list = static_cast<double*>(data) + 1;
  out->list_length = static_cast<size_t>(capacity);
  out->data_begin = (1 + out->list_length) * sizeof(double);
  out->byte_length = byte_length;
  return Status::Ok();
}

Status SyncRunner::PrepareInputs(const SessionCore& core, const Napi::Value& datas_value, const Staging& staging) {
  const std::vector<ValueInfo>& inputs = core.inputs();
  // A session with one input may be given its typed array alone: that spares an array and three
  // Node-API calls on a path where they are a noticeable part of a small model's run.
  bool single = inputs.size() == 1 && datas_value.IsTypedArray();
  if (!single && !datas_value.IsArray()) return ArgumentError(core, call_, "expected an array of input data");
  Napi::Array datas = single ? Napi::Array() : datas_value.As<Napi::Array>();
  if (!single && datas.Length() != inputs.size()) {
    return ArgumentError(core, call_, "expected " + std::to_string(inputs.size()) + " inputs, received " +
                                   std::to_string(datas.Length()));
  }
  inputs_.resize(inputs.size());
  input_values_.resize(inputs.size());
  read_inputs_.clear();
  size_t at = 0;
  for (uint32_t i = 0; i < inputs.size(); ++i) {
    ValueContext what{core.label(), "input", inputs[i].name};
    double rank = at < staging.list_length ? staging.list[at] : -1;
    if (!(rank >= 0 && rank <= static_cast<double>(staging.list_length - at - 1)) || rank != std::floor(rank)) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": its dims are missing from the staging buffer");
    }
    INFERLINE_RETURN_IF_ERROR(
        DimsFromNumbers(staging.list + at + 1, static_cast<size_t>(rank), what, &input_.dims, &input_.count));
    at += 1 + static_cast<size_t>(rank);
    Napi::Value data = single ? datas_value : datas.Get(i);
    read_inputs_.push_back(data);
    INFERLINE_RETURN_IF_ERROR(ReadTensorElements(inputs[i], data, what, &input_));
    InputSlot& slot = inputs_[i];
    bool dims_changed = !SameDims(slot.dims, input_.dims);
    if (dims_changed) {
      // Output shapes seen under the old dims are forgotten at once: a call that fails further
      // on must not leave them behind.
      slot.dims = input_.dims;
      output_slots_.clear();
    }
    // Same dims imply the same length, so the address is all that is left to compare.
    bool reusable = input_.bytes != nullptr && input_.type->byte_size != 0;
    if (!reusable || dims_changed || slot.value == nullptr || slot.bytes != input_.bytes) {
      slot.value.reset();
      slot.bytes = nullptr;
      INFERLINE_RETURN_IF_ERROR(CreateOrtTensor(inputs[i].element_type, input_.dims, input_.bytes, &input_.strings,
                                                input_.count, what, &slot.value));
      if (reusable) slot.bytes = input_.bytes;
    }
    input_values_[i] = slot.value.get();
  }
  return Status::Ok();
}

Status SyncRunner::PrepareOutputs(const SessionCore& core, const Napi::Value& indices, const Napi::Value& preallocated) {
  INFERLINE_RETURN_IF_ERROR(ReadOutputSelection(core, call_, indices, preallocated, &output_indices_, &preallocated_));
  size_t count = output_indices_.size();
  output_names_.resize(count);
  outputs_.assign(count, nullptr);
  for (size_t i = 0; i < count; ++i) {
    output_names_[i] = core.output_names()[output_indices_[i]];
    if (i < preallocated_.size()) outputs_[i] = preallocated_[i].value.get();
  }
  return Status::Ok();
}

Status SyncRunner::Run(const std::shared_ptr<SessionCore>& core, const Napi::CallbackInfo& info, Napi::Value* out) {
  Napi::Env env = info.Env();
  Status status = Prepare(*core, info);
  // Reading the arguments can run the caller's getters; one that threw leaves its exception
  // pending, and the caller stops with it.
  if (status.ok() && !env.IsExceptionPending()) {
    status = ExecutePrepared(*core);
    if (status.ok()) status = Deliver(env, *core, out);
  }
  Clear();
  return status;
}

Status SyncRunner::Prepare(const SessionCore& core, const Napi::CallbackInfo& info) {
  INFERLINE_RETURN_IF_ERROR(ReadStaging(core, info[1], &staging_));
  INFERLINE_RETURN_IF_ERROR(PrepareInputs(core, info[0], staging_));
  return PrepareOutputs(core, info[2], info[3]);
}

Status SyncRunner::ExecutePrepared(const SessionCore& core) {
  staged_ = StageOutputs(core, staging_);
  return Execute(core);
}

Status SyncRunner::Deliver(Napi::Env env, const SessionCore& core, Napi::Value* out) {
  return staged_ ? DeliverStagedOutputs(env, staging_, out) : DeliverOutputs(env, core, staging_, out);
}

void SyncRunner::Clear() {
  owned_outputs_.clear();
  preallocated_.clear();
  read_inputs_.clear();
  staging_ = Staging();
}

bool SyncRunner::StageOutputs(const SessionCore& core, const Staging& staging) {
  if (output_slots_.size() != core.outputs().size()) {
    // Nothing known for these input dims (PrepareInputs cleared the slots when they changed):
    // this call's outputs will be recorded.
    if (predict_shapes_) output_slots_.resize(core.outputs().size());
    return false;
  }
  if (!predict_shapes_ || !preallocated_.empty()) return false;
  size_t data_at = staging.data_begin;
  size_t list_length = 0;
  for (size_t index : output_indices_) {
    const OutputSlot& slot = output_slots_[index];
    if (!slot.known) return false;
    data_at += (slot.bytes + 7) & ~size_t{7};
    list_length += 2 + slot.dims.size();
  }
  if (data_at > staging.byte_length || list_length > staging.list_length) return false;
  data_at = staging.data_begin;
  for (size_t i = 0; i < output_indices_.size(); ++i) {
    size_t index = output_indices_[i];
    OutputSlot& slot = output_slots_[index];
    uint8_t* at = staging.base + data_at;
    if (slot.value == nullptr || slot.at != at) {
      OrtValue* value = nullptr;
      OrtStatus* failed =
          Api()->CreateTensorWithDataAsOrtValue(CpuMemoryInfo(), at, slot.bytes, slot.dims.data(), slot.dims.size(),
                                                core.outputs()[index].element_type, &value);
      if (failed != nullptr) {
        Api()->ReleaseStatus(failed);
        for (size_t j = 0; j < i; ++j) outputs_[j] = nullptr;
        return false;
      }
      slot.value.reset(value);
      slot.at = at;
    }
    outputs_[i] = slot.value.get();
    data_at += (slot.bytes + 7) & ~size_t{7};
  }
  return true;
}

Status SyncRunner::Execute(const SessionCore& core) {
  OrtRunOptions* quiet = nullptr;
  if (staged_) {
    // A wrong prediction is expected to fail once and is retried: ORT need not log it as an error.
    if (quiet_run_options_ == nullptr) {
      OrtRunOptions* created = nullptr;
      OrtStatus* failed = Api()->CreateRunOptions(&created);
      if (failed == nullptr) failed = Api()->RunOptionsSetRunLogSeverityLevel(created, ORT_LOGGING_LEVEL_FATAL);
      if (failed != nullptr) Api()->ReleaseStatus(failed);
      quiet_run_options_.reset(created);
    }
    quiet = quiet_run_options_.get();
  }
  OrtStatus* failed = Api()->Run(core.session(), quiet, core.input_names(), input_values_.data(),
                                 input_values_.size(), output_names_.data(), output_names_.size(), outputs_.data());
  if (failed != nullptr && staged_) {
    // Most likely an output's shape was not the one predicted (it depends on input values):
    // run again with ORT allocating, and predict no more if that succeeds.
    Api()->ReleaseStatus(failed);
    staged_ = false;
    std::fill(outputs_.begin(), outputs_.end(), nullptr);
    failed = Api()->Run(core.session(), nullptr, core.input_names(), input_values_.data(), input_values_.size(),
                        output_names_.data(), output_names_.size(), outputs_.data());
    if (failed == nullptr) {
      predict_shapes_ = false;
      output_slots_.clear();
    }
  }
  if (staged_) return Status::Ok();
  size_t count = outputs_.size();
  owned_outputs_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    bool preallocated = i < preallocated_.size() && preallocated_[i].value != nullptr;
    // ORT leaves caller-given outputs alone; anything it allocated (even before failing) is ours.
    if (!preallocated) owned_outputs_[i].reset(outputs_[i]);
  }
  if (failed != nullptr) return FromOrt(failed, "Session \"" + core.label() + "\" run");
  return Status::Ok();
}

Status SyncRunner::DeliverStagedOutputs(Napi::Env env, const Staging& staging, Napi::Value* out) {
  double* list = staging.list;
  size_t data_at = staging.data_begin;
  for (size_t index : output_indices_) {
    const OutputSlot& slot = output_slots_[index];
    *list++ = static_cast<double>(data_at);
    *list++ = static_cast<double>(slot.dims.size());
    for (int64_t dim : slot.dims) *list++ = static_cast<double>(dim);
    data_at += (slot.bytes + 7) & ~size_t{7};
  }
  *out = env.Undefined();
  return Status::Ok();
}

Status SyncRunner::DeliverOutputs(Napi::Env env, const SessionCore& core, const Staging& staging, Napi::Value* out) {
  size_t count = outputs_.size();
  napi_value returned = nullptr;  // created when the first output needs it
  auto put = [&](uint32_t index, napi_value entry) -> Status {
    if (returned == nullptr && napi_create_array_with_length(env, count, &returned) != napi_ok) {
      return Status(ErrorCode::kInternal, std::string(call_) + ": could not create the result array");
    }
    napi_set_element(env, returned, index, entry);
    return Status::Ok();
  };
  list_.clear();
  size_t data_at = staging.data_begin;
  for (size_t i = 0; i < count; ++i) {
    if (owned_outputs_[i] == nullptr) {
      list_.push_back(kWherePreallocated);
      list_.push_back(0);
      continue;
    }
    const ValueInfo& declared = core.outputs()[output_indices_[i]];
    ValueContext what{core.label(), "output", declared.name};
    INFERLINE_RETURN_IF_ERROR(DescribeOutput(owned_outputs_[i].get(), what, &output_));
    size_t bytes = output_.count * output_.type->byte_size;
    if (predict_shapes_ && output_indices_[i] < output_slots_.size() && output_.type->byte_size != 0 &&
        bytes <= kStageMaxBytes) {
      OutputSlot& slot = output_slots_[output_indices_[i]];
      slot.known = true;
      slot.dims = output_.dims;
      slot.bytes = bytes;
    }
    size_t padded = (bytes + 7) & ~size_t{7};
    if (output_.type->byte_size != 0 && bytes <= kStageMaxBytes && data_at + padded <= staging.byte_length) {
      if (bytes > 0) {
        void* data = nullptr;
        INFERLINE_RETURN_IF_ORT_ERROR(Api()->GetTensorMutableData(owned_outputs_[i].get(), &data), what.Text());
        std::memcpy(staging.base + data_at, data, bytes);
      }
      owned_outputs_[i].reset();
      list_.push_back(static_cast<double>(data_at));
      data_at += padded;
    } else {
      Napi::Value storage;
      INFERLINE_RETURN_IF_ERROR(OutputStorage(env, std::move(owned_outputs_[i]), output_, what, &storage));
      napi_value entry = storage;
      if (output_.type->byte_size != 0 &&
          napi_create_typedarray(env, output_.type->js_array, output_.count, storage, 0, &entry) != napi_ok) {
        return Status(ErrorCode::kInternal, what.Text() + ": could not create the output typed array");
      }
      INFERLINE_RETURN_IF_ERROR(put(static_cast<uint32_t>(i), entry));
      list_.push_back(kWhereReturned);
    }
    list_.push_back(static_cast<double>(output_.dims.size()));
    for (int64_t dim : output_.dims) list_.push_back(static_cast<double>(dim));
  }
  if (list_.size() <= staging.list_length) {
    std::copy(list_.begin(), list_.end(), staging.list);
  } else {
    napi_value buffer = nullptr;
    napi_value longer = nullptr;
    void* data = nullptr;
    if (napi_create_arraybuffer(env, list_.size() * sizeof(double), &data, &buffer) != napi_ok ||
        napi_create_typedarray(env, napi_float64_array, list_.size(), buffer, 0, &longer) != napi_ok) {
      return Status(ErrorCode::kInternal, std::string(call_) + ": could not allocate the output list");
    }
    std::copy(list_.begin(), list_.end(), static_cast<double*>(data));
    INFERLINE_RETURN_IF_ERROR(put(static_cast<uint32_t>(count), longer));
  }
  *out = returned == nullptr ? env.Undefined() : Napi::Value(env, returned);
  return Status::Ok();
}

}  // namespace inferline
