// ONNX element types inferline exchanges with JavaScript, and how each is held in JS memory.
#pragma once

#include <napi.h>
#include <onnxruntime_c_api.h>

#include <cstddef>

namespace inferline {

struct ElementTypeInfo {
  ONNXTensorElementDataType onnx_type;
  const char* name;                // our dtype name, as in src/tensor/dtype.ts
  size_t byte_size;                // bytes per element; 0 for string
  napi_typedarray_type js_array;   // the typed array that holds it (unused for string)
};

// Returns nullptr for element types inferline does not exchange (complex, float8, int4, ...).
const ElementTypeInfo* FindElementType(ONNXTensorElementDataType onnx_type);

// Name of any ONNX element type, including the unsupported ones, for error messages.
const char* ElementTypeName(ONNXTensorElementDataType onnx_type);

}  // namespace inferline
