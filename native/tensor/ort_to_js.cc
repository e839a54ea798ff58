#include "tensor/ort_to_js.h"

#include <cstring>
#include <vector>

#include "runtime/env_state.h"
#include "tensor/element_type.h"

namespace inferline {
namespace {

Status StringsToJs(Napi::Env env, OrtValue* value, size_t count, const ValueContext& what, Napi::Value* out) {
  const OrtApi* api = Api();
  Napi::Array strings = Napi::Array::New(env, count);
  std::string buffer;
  for (size_t i = 0; i < count; ++i) {
    size_t length = 0;
    INFERLINE_RETURN_IF_ORT_ERROR(api->GetStringTensorElementLength(value, i, &length), what.Text());
    buffer.resize(length);
    if (length > 0) {
      INFERLINE_RETURN_IF_ORT_ERROR(api->GetStringTensorElement(value, length, i, &buffer[0]), what.Text());
    }
    strings.Set(static_cast<uint32_t>(i), Napi::String::New(env, buffer.data(), length));
  }
  *out = strings;
  return Status::Ok();
}

// Below this size an output is copied into an ordinary ArrayBuffer instead of being wrapped: an
// external buffer costs a weak handle, a finalizer and a deferred release per output (~1 µs
// measured here), far more than copying a few hundred bytes. Above it, wrapping wins and saves
// memory traffic. Zero-copy is about large tensors; tiny ones are cheaper to copy.
constexpr size_t kCopyBelowBytes = 1024;

void ReleaseOrtValue(napi_env env, void* data, void* hint) {
  (void)env;
  (void)data;
  Api()->ReleaseValue(static_cast<OrtValue*>(hint));
}

Status ArrayBufferOver(Napi::Env env, ValuePtr value, const ElementTypeInfo& type, size_t count,
                       const ValueContext& what, Napi::Value* out) {
  size_t byte_length = count * type.byte_size;
  void* data = nullptr;
  INFERLINE_RETURN_IF_ORT_ERROR(Api()->GetTensorMutableData(value.get(), &data), what.Text());
  napi_value buffer = nullptr;
  if (byte_length == 0 || data == nullptr) {
    napi_create_arraybuffer(env, 0, nullptr, &buffer);
  } else if (byte_length <= kCopyBelowBytes) {
    void* copy = nullptr;
    if (napi_create_arraybuffer(env, byte_length, &copy, &buffer) != napi_ok) {
      return Status(ErrorCode::kInternal, what.Text() + ": could not allocate an ArrayBuffer of " +
                                              std::to_string(byte_length) + " bytes");
    }
    std::memcpy(copy, data, byte_length);
  } else {
    OrtValue* owned = value.get();
    napi_status status = napi_create_external_arraybuffer(env, data, byte_length, ReleaseOrtValue, owned, &buffer);
    if (status == napi_ok) {
      value.release();  // now owned by the ArrayBuffer's finalizer
    } else {
      // The host forbids external buffers (napi_no_external_buffers_allowed): copy instead.
      if (Napi::Env(env).IsExceptionPending()) Napi::Env(env).GetAndClearPendingException();
      void* copy = nullptr;
      if (napi_create_arraybuffer(env, byte_length, &copy, &buffer) != napi_ok) {
        return Status(ErrorCode::kInternal, what.Text() + ": could not allocate an ArrayBuffer of " +
                                                std::to_string(byte_length) + " bytes");
      }
      std::memcpy(copy, data, byte_length);
    }
  }
  *out = Napi::Value(env, buffer);
  return Status::Ok();
}

}  // namespace

Status DescribeOutput(OrtValue* value, const ValueContext& what, OutputInfo* out) {
  const OrtApi* api = Api();
  int is_tensor = 0;
  INFERLINE_RETURN_IF_ORT_ERROR(api->IsTensor(value, &is_tensor), what.Text());
  if (is_tensor == 0) {
    return Status(ErrorCode::kUnsupported, what.Text() + ": only tensor outputs are supported (this one is a sequence, "
                                                   "map or optional)");
  }
  OrtTensorTypeAndShapeInfo* raw_info = nullptr;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetTensorTypeAndShape(value, &raw_info), what.Text());
  TensorInfoPtr info(raw_info);
  ONNXTensorElementDataType element_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetTensorElementType(info.get(), &element_type), what.Text());
  size_t rank = 0;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetDimensionsCount(info.get(), &rank), what.Text());
  out->dims.resize(rank);
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetDimensions(info.get(), out->dims.data(), rank), what.Text());
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetTensorShapeElementCount(info.get(), &out->count), what.Text());
  out->type = FindElementType(element_type);
  if (out->type == nullptr) {
    return Status(ErrorCode::kUnsupported, what.Text() + ": element type " + ElementTypeName(element_type) +
                                               " is not supported by inferline");
  }
  return Status::Ok();
}

Status OutputStorage(Napi::Env env, ValuePtr value, const OutputInfo& info, const ValueContext& what,
                     Napi::Value* storage) {
  if (info.type->byte_size == 0) return StringsToJs(env, value.get(), info.count, what, storage);
  return ArrayBufferOver(env, std::move(value), *info.type, info.count, what, storage);
}

Status TakeOutput(Napi::Env env, ValuePtr value, const ValueContext& what, JsOutput* out) {
  INFERLINE_RETURN_IF_ERROR(DescribeOutput(value.get(), what, out));
  return OutputStorage(env, std::move(value), *out, what, &out->storage);
}

Status MakeTensor(Napi::Env env, const JsOutput& output, size_t first, size_t count, const std::vector<int64_t>& dims,
                  const ValueContext& what, Napi::Value* out) {
  napi_value data = nullptr;
  if (output.type->byte_size == 0) {
    Napi::Array all = output.storage.As<Napi::Array>();
    Napi::Array slice = first == 0 && count == output.count ? all : Napi::Array::New(env, count);
    if (slice != all) {
      for (size_t i = 0; i < count; ++i) slice.Set(static_cast<uint32_t>(i), all.Get(static_cast<uint32_t>(first + i)));
    }
    data = slice;
  } else if (napi_create_typedarray(env, output.type->js_array, count, output.storage, first * output.type->byte_size,
                                    &data) != napi_ok) {
    return Status(ErrorCode::kInternal, what.Text() + ": could not create the output typed array");
  }
  Napi::Array js_dims = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    js_dims.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(dims[i])));
  }
  EnvState* state = EnvState::Get(env);
  Napi::Value tensor =
      state->make_tensor.Call({Napi::Number::New(env, output.type->onnx_type), Napi::Value(env, data), js_dims});
  if (env.IsExceptionPending()) {
    Napi::Error error = env.GetAndClearPendingException();
    return Status(ErrorCode::kInternal, what.Text() + ": building the output Tensor failed: " + error.Message());
  }
  *out = tensor;
  return Status::Ok();
}

Status TensorToJs(Napi::Env env, ValuePtr value, const ValueContext& what, Napi::Value* out) {
  JsOutput output;
  INFERLINE_RETURN_IF_ERROR(TakeOutput(env, std::move(value), what, &output));
  return MakeTensor(env, output, 0, output.count, output.dims, what, out);
}

}  // namespace inferline
