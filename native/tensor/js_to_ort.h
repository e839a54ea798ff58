// Wraps JS tensor data as OrtValues without copying it (strings excepted: ORT owns its own).
#pragma once

#include <napi.h>

#include <string>

#include "ort/ort_handles.h"
#include "tensor/value_info.h"
#include "tensor/value_context.h"

namespace inferline {

// Creates an OrtValue over `data` (a typed array, or an array of strings for string tensors)
// shaped by `dims` (an array of non-negative integers), checked against `expected`, the
// session's declaration of this input or output. `what` names the value in messages, e.g.
// Session "det.onnx" input "x". The caller keeps `data` alive until the OrtValue is released.
Status TensorFromJs(const ValueInfo& expected, const Napi::Value& data, const Napi::Value& dims,
                    const ValueContext& what, ValuePtr* out);

}  // namespace inferline
