// Wraps JS tensor data as OrtValues without copying it (strings excepted: ORT owns its own).
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "tensor/element_type.h"

#include "ort/ort_handles.h"
#include "tensor/value_info.h"
#include "tensor/value_context.h"

namespace inferline {

// A JS tensor's data, checked against its declaration, before any OrtValue exists.
struct TensorData {
  const ElementTypeInfo* type = nullptr;
  std::vector<int64_t> dims;
  size_t count = 0;                  // elements
  uint8_t* bytes = nullptr;          // the typed array's memory (not owned; null if empty)
  std::vector<std::string> strings;  // string tensors: copied out of the JS array
};

// Reads `data` (a typed array, or an array of strings) and `dims` (non-negative integers) and
// checks them against `expected`. Touches JS values: JS thread only.
Status ReadTensorData(const ValueInfo& expected, const Napi::Value& data, const Napi::Value& dims,
                      const ValueContext& what, TensorData* out);

// Checks dims given as numbers (non-negative integers, at most 64 of them, whose product no
// buffer could exceed) and writes them to `dims` and their product to `element_count`.
Status DimsFromNumbers(const double* numbers, size_t rank, const ValueContext& what, std::vector<int64_t>* dims,
                       size_t* element_count);

// ReadTensorData once out->dims and out->count are set (by DimsFromNumbers): checks them against
// `expected` and reads `data` to match.
Status ReadTensorElements(const ValueInfo& expected, const Napi::Value& data, const ValueContext& what,
                          TensorData* out);

// An OrtValue over `bytes` (not copied; the caller keeps them alive until it is released) or,
// for string tensors, over a copy of `strings`. Any thread.
Status CreateOrtTensor(ONNXTensorElementDataType element_type, const std::vector<int64_t>& dims, uint8_t* bytes,
                       const std::vector<std::string>* strings, size_t count, const ValueContext& what,
                       ValuePtr* out);

// Creates an OrtValue over `data` (a typed array, or an array of strings for string tensors)
// shaped by `dims` (an array of non-negative integers), checked against `expected`, the
// session's declaration of this input or output. `what` names the value in messages, e.g.
// Session "det.onnx" input "x". The caller keeps `data` alive until the OrtValue is released.
Status TensorFromJs(const ValueInfo& expected, const Napi::Value& data, const Napi::Value& dims,
                    const ValueContext& what, ValuePtr* out);

}  // namespace inferline
