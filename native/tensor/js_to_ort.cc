#include "tensor/js_to_ort.h"

#include <vector>

#include "tensor/element_type.h"

namespace inferline {
namespace {

constexpr size_t kMaxRank = 64;

std::string FormatDims(const std::vector<int64_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

Status ReadDims(const Napi::Value& dims_value, const ValueContext& what, std::vector<int64_t>* dims,
                size_t* element_count) {
  if (!dims_value.IsArray()) return Status(ErrorCode::kInvalidArg, what.Text() + ": dims must be an array of integers");
  Napi::Array array = dims_value.As<Napi::Array>();
  uint32_t rank = array.Length();
  // Rank is bounded here (ONNX allows no more than this in practice) so that a huge array's
  // length cannot make the numbers below allocate without end.
  if (rank > kMaxRank) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": rank " + std::to_string(rank) + " exceeds " +
                                              std::to_string(kMaxRank));
  }
  double numbers[kMaxRank];
  for (uint32_t i = 0; i < rank; ++i) {
    Napi::Value dim = array.Get(i);
    numbers[i] = dim.IsNumber() ? dim.As<Napi::Number>().DoubleValue() : -1.0;
  }
  return DimsFromNumbers(numbers, rank, what, dims, element_count);
}

Status CheckAgainstDeclared(const ValueInfo& expected, const std::vector<int64_t>& dims, const ValueContext& what) {
  if (expected.dims.empty()) return Status::Ok();  // rank unknown or scalar: ORT checks the rest
  if (dims.size() != expected.dims.size()) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": expected rank " + std::to_string(expected.dims.size()) +
                                              ", received dims " + FormatDims(dims));
  }
  for (size_t i = 0; i < dims.size(); ++i) {
    if (expected.dims[i] >= 0 && expected.dims[i] != dims[i]) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": expected dims " + FormatDims(expected.dims) +
                                                " (-1 = any), received " + FormatDims(dims));
    }
  }
  return Status::Ok();
}

Status ReadStrings(const Napi::Value& data, const std::vector<int64_t>& dims, size_t element_count,
                   const ValueContext& what, std::vector<std::string>* strings) {
  if (!data.IsArray()) return Status(ErrorCode::kInvalidArg, what.Text() + ": string data must be an array of strings");
  Napi::Array array = data.As<Napi::Array>();
  if (array.Length() != element_count) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": dims " + FormatDims(dims) + " need " +
                                              std::to_string(element_count) + " strings, received " +
                                              std::to_string(array.Length()));
  }
  strings->resize(element_count);
  for (uint32_t i = 0; i < element_count; ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": element " + std::to_string(i) + " is not a string");
    }
    (*strings)[i] = item.As<Napi::String>().Utf8Value();
  }
  return Status::Ok();
}

}  // namespace

Status DimsFromNumbers(const double* numbers, size_t rank, const ValueContext& what, std::vector<int64_t>* dims,
                       size_t* element_count) {
  if (rank > kMaxRank) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": rank " + std::to_string(rank) + " exceeds " +
                                              std::to_string(kMaxRank));
  }
  dims->resize(rank);
  size_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    double value = numbers[i];
    if (!(value >= 0 && value <= 9007199254740991.0) || value != static_cast<double>(static_cast<int64_t>(value))) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": dim " + std::to_string(i) +
                                                " must be a non-negative integer");
    }
    (*dims)[i] = static_cast<int64_t>(value);
    // Checked: dims whose product wraps around could otherwise pass the length check below.
    if (__builtin_mul_overflow(count, static_cast<size_t>(value), &count) || count > (size_t{1} << 48)) {
      return Status(ErrorCode::kInvalidArg, what.Text() + ": dims " + FormatDims(*dims) +
                                                " hold more elements than any buffer can (overflow)");
    }
  }
  *element_count = count;
  return Status::Ok();
}

Status ReadTensorData(const ValueInfo& expected, const Napi::Value& data, const Napi::Value& dims_value,
                      const ValueContext& what, TensorData* out) {
  INFERLINE_RETURN_IF_ERROR(ReadDims(dims_value, what, &out->dims, &out->count));
  return ReadTensorElements(expected, data, what, out);
}

Status ReadTensorElements(const ValueInfo& expected, const Napi::Value& data, const ValueContext& what,
                          TensorData* out) {
  if (!expected.is_tensor) {
    return Status(ErrorCode::kUnsupported, what.Text() + ": only tensor values are supported (this one is a sequence, map "
                                                   "or optional)");
  }
  const ElementTypeInfo* type = FindElementType(expected.element_type);
  if (type == nullptr) {
    return Status(ErrorCode::kUnsupported, what.Text() + ": element type " + ElementTypeName(expected.element_type) +
                                               " is not supported by inferline");
  }
  out->type = type;
  out->bytes = nullptr;
  INFERLINE_RETURN_IF_ERROR(CheckAgainstDeclared(expected, out->dims, what));
  if (type->byte_size == 0) return ReadStrings(data, out->dims, out->count, what, &out->strings);
  if (!data.IsTypedArray()) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": expected " + type->name + " data in a typed array");
  }
  // One call gives type, length and the data pointer (offset included), for ArrayBuffer and
  // SharedArrayBuffer alike; napi_get_arraybuffer_info would refuse the latter.
  napi_typedarray_type array_type = napi_uint8_array;
  size_t length = 0;
  void* pointer = nullptr;
  if (napi_get_typedarray_info(data.Env(), data, &array_type, &length, &pointer, nullptr, nullptr) != napi_ok) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": could not read its typed array");
  }
  if (array_type != type->js_array) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": the typed array's element type does not match " + type->name);
  }
  if (length != out->count) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": dims " + FormatDims(out->dims) + " need " +
                                              std::to_string(out->count) + " elements, received " +
                                              std::to_string(length));
  }
  if (pointer == nullptr && out->count > 0) {
    return Status(ErrorCode::kInvalidArg, what.Text() + ": its ArrayBuffer is detached (transferred or freed)");
  }
  out->bytes = static_cast<uint8_t*>(pointer);
  return Status::Ok();
}

Status CreateOrtTensor(ONNXTensorElementDataType element_type, const std::vector<int64_t>& dims, uint8_t* bytes,
                       const std::vector<std::string>* strings, size_t count, const ValueContext& what,
                       ValuePtr* out) {
  const OrtApi* api = Api();
  OrtValue* raw = nullptr;
  if (element_type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
    OrtAllocator* allocator = nullptr;
    INFERLINE_RETURN_IF_ORT_ERROR(api->GetAllocatorWithDefaultOptions(&allocator), what.Text());
    INFERLINE_RETURN_IF_ORT_ERROR(api->CreateTensorAsOrtValue(allocator, dims.data(), dims.size(), element_type, &raw),
                                  what.Text());
    ValuePtr value(raw);
    std::vector<const char*> pointers(count);
    for (size_t i = 0; i < count; ++i) pointers[i] = (*strings)[i].c_str();
    INFERLINE_RETURN_IF_ORT_ERROR(api->FillStringTensor(value.get(), pointers.data(), pointers.size()), what.Text());
    *out = std::move(value);
    return Status::Ok();
  }
  // ORT rejects a null data pointer even for an empty tensor; any valid address will do there.
  static uint8_t empty_tensor_data[8];
  const ElementTypeInfo* type = FindElementType(element_type);
  void* pointer = count == 0 ? static_cast<void*>(empty_tensor_data) : bytes;
  INFERLINE_RETURN_IF_ORT_ERROR(api->CreateTensorWithDataAsOrtValue(CpuMemoryInfo(), pointer, count * type->byte_size,
                                                                    dims.data(), dims.size(), element_type, &raw),
                                what.Text());
  out->reset(raw);
  return Status::Ok();
}

Status TensorFromJs(const ValueInfo& expected, const Napi::Value& data, const Napi::Value& dims_value,
                    const ValueContext& what, ValuePtr* out) {
  TensorData tensor;
  INFERLINE_RETURN_IF_ERROR(ReadTensorData(expected, data, dims_value, what, &tensor));
  return CreateOrtTensor(expected.element_type, tensor.dims, tensor.bytes, &tensor.strings, tensor.count, what, out);
}

}  // namespace inferline
