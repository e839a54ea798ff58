// Hands ORT-allocated output tensors to JavaScript.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

#include "ort/ort_handles.h"
#include "tensor/element_type.h"
#include "tensor/value_context.h"

namespace inferline {

// What an output tensor holds.
struct OutputInfo {
  const ElementTypeInfo* type = nullptr;
  std::vector<int64_t> dims;
  size_t count = 0;          // elements
};

// An output's data now owned by JavaScript, and what describes it.
struct JsOutput : OutputInfo {
  Napi::Value storage;       // ArrayBuffer, or Array of strings for string tensors
};

// Reads `value`'s element type and shape; refuses non-tensors and types inferline does not carry.
Status DescribeOutput(OrtValue* value, const ValueContext& what, OutputInfo* out);

// Moves `value`'s data to JavaScript (see TakeOutput): an ArrayBuffer, or an Array of strings.
Status OutputStorage(Napi::Env env, ValuePtr value, const OutputInfo& info, const ValueContext& what,
                     Napi::Value* storage);

// Moves `value`'s data to JavaScript. Outputs over a small threshold are wrapped as external
// ArrayBuffers that release the OrtValue when collected (no copy); smaller ones, strings, and
// hosts that forbid external buffers get a copy and `value` is released at once.
Status TakeOutput(Napi::Env env, ValuePtr value, const ValueContext& what, JsOutput* out);

// A Tensor (through the factory registered by src/native.ts) over elements [first, first+count)
// of `output`, shaped `dims`: the whole output, or one request's rows of a batch output.
Status MakeTensor(Napi::Env env, const JsOutput& output, size_t first, size_t count, const std::vector<int64_t>& dims,
                  const ValueContext& what, Napi::Value* out);

// TakeOutput + MakeTensor over all of it.
Status TensorToJs(Napi::Env env, ValuePtr value, const ValueContext& what, Napi::Value* out);

}  // namespace inferline
