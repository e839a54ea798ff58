// Hands ORT-allocated output tensors to JavaScript.
#pragma once

#include <napi.h>

#include "ort/ort_handles.h"
#include "tensor/value_context.h"

namespace inferline {

// Builds a Tensor (through the factory registered by src/native.ts) over `value`'s memory: the
// ArrayBuffer is external and releases the OrtValue when collected, so nothing is copied. Where
// the host forbids external buffers, or for strings, the data is copied and `value` released.
Status TensorToJs(Napi::Env env, ValuePtr value, const ValueContext& what, Napi::Value* out);

}  // namespace inferline
