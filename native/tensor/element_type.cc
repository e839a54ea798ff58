#include "tensor/element_type.h"

namespace inferline {
namespace {

// float16 and bfloat16 travel as raw 16-bit patterns in a Uint16Array, bool as bytes in a
// Uint8Array: that is how onnxruntime-node exchanges them too, so outputs compare bit for bit.
constexpr ElementTypeInfo kElementTypes[] = {
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, "float32", 4, napi_float32_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, "uint8", 1, napi_uint8_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, "int8", 1, napi_int8_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, "uint16", 2, napi_uint16_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16, "int16", 2, napi_int16_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, "int32", 4, napi_int32_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, "int64", 8, napi_bigint64_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, "string", 0, napi_uint8_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, "bool", 1, napi_uint8_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, "float16", 2, napi_uint16_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, "float64", 8, napi_float64_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32, "uint32", 4, napi_uint32_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64, "uint64", 8, napi_biguint64_array},
    {ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16, "bfloat16", 2, napi_uint16_array},
};

}  // namespace

const ElementTypeInfo* FindElementType(ONNXTensorElementDataType onnx_type) {
  for (const ElementTypeInfo& info : kElementTypes) {
    if (info.onnx_type == onnx_type) return &info;
  }
  return nullptr;
}

const char* ElementTypeName(ONNXTensorElementDataType onnx_type) {
  const ElementTypeInfo* info = FindElementType(onnx_type);
  if (info != nullptr) return info->name;
  switch (onnx_type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX64: return "complex64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_COMPLEX128: return "complex128";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED: return "undefined";
    default: return "an unsupported element type";
  }
}

}  // namespace inferline
