// A dynamic batch: several requests' inputs concatenated along dim 0 into one run, and its
// outputs split back into per-request views. Concatenation happens on the pool thread (one copy
// per input into a recycled buffer); the split makes views of the batch outputs (no copy).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "runtime/buffer_pool.h"
#include "session/plan.h"
#include "session/session_core.h"
#include "tensor/js_to_ort.h"

namespace inferline {

class BatchPlan : public Plan {
 public:
  // `requests`: one array per request of its input data (typed arrays or string arrays, in the
  // session's input order); `dims`: one array per request of its inputs' dims. Every request
  // must agree with the others on each input's dims after the first. The caller must not
  // change `requests` afterwards: one reference to it keeps all the data alive.
  // `preallocated`: undefined, or an array parallel to the session's outputs whose entries are
  // undefined or a { data, dims } tensor for the WHOLE batch that ONNX Runtime writes into; those
  // outputs are left out of ToJs's per-request objects (the caller splits its own memory).
  static Status Prepare(const std::shared_ptr<SessionCore>& core, const Napi::Value& requests,
                        const Napi::Value& dims, const Napi::Value& preallocated, std::unique_ptr<BatchPlan>* out);

  Status Execute(OrtRunOptions* run_options) override;
  // Resolves with an array: for each request, { [outputName]: Tensor } over its rows.
  Status ToJs(Napi::Env env, Napi::Value* out) override;
  const SessionCore& core() const override { return *core_; }

 private:
  struct BatchInput {
    std::vector<TensorData> parts;   // one per request, read on the JS thread
    std::vector<int64_t> dims;       // the batch's dims: dim 0 is the sum of the parts'
    PooledBuffer buffer;             // the concatenation, while the run needs it
  };

  explicit BatchPlan(std::shared_ptr<SessionCore> core) : core_(std::move(core)) {}
  Status AssembleInput(size_t index, ValuePtr* value);
  Status PrepareOutputs(const Napi::Value& preallocated);

  std::shared_ptr<SessionCore> core_;
  Napi::Reference<Napi::Value> requests_ref_;  // keeps every request's data alive
  std::vector<size_t> rows_;                   // dim 0 of each request
  size_t total_rows_ = 0;
  std::vector<BatchInput> inputs_;
  std::vector<ValuePtr> outputs_;              // the batch outputs, until ToJs splits them
  std::vector<ValuePtr> preallocated_;         // per output: over the caller's memory, or null
  Napi::Reference<Napi::Value> preallocated_ref_;  // keeps the caller's output memory alive
};

}  // namespace inferline
