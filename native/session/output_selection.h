// The outputIndices and preallocated arguments that run() and runSync() share.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "ort/ort_handles.h"
#include "session/session_core.h"

namespace inferline {

// A caller-given output Tensor, and the OrtValue over its memory that ORT writes into.
struct PreallocatedOutput {
  Napi::Value tensor;  // the caller's Tensor ({ data, dims })
  Napi::Value data;    // its data, read once (the OrtValue is over this one)
  ValuePtr value;
};

// Reads `indices` (undefined: every output, in order; else an array of output indices) into
// `output_indices`, and `preallocated` (undefined, or an array parallel to them whose entries are
// undefined/null or a Tensor) into `preallocated_outputs` (left empty when undefined; entries
// without a Tensor have a null value). `call` names the call in messages ("run", "runSync").
Status ReadOutputSelection(const SessionCore& core, const char* call, const Napi::Value& indices,
                           const Napi::Value& preallocated, std::vector<size_t>* output_indices,
                           std::vector<PreallocatedOutput>* preallocated_outputs);

}  // namespace inferline
