// One async run() call, from the JS arguments to the JS result. Prepared and turned into JS on the
// JS thread; Execute is the only part that may run elsewhere. (runSync has its own path:
// SyncRunner.)
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "session/plan.h"
#include "session/session_core.h"

namespace inferline {

class RunPlan : public Plan {
 public:
  // Reads the arguments of the native run():
  //   datas:   one typed array (or string array) per session input, in session input order;
  //   dims:    one array of integers per input;
  //   outputs: undefined (all outputs) or an array of output indices;
  //   preallocated: undefined, or an array parallel to `outputs` whose entries are undefined or
  //                 a Tensor ({ data, dims }) that ORT writes into in place.
  // JS buffers are referenced so that they outlive the call.
  static Status Prepare(const std::shared_ptr<SessionCore>& core, const Napi::CallbackInfo& info,
                        std::unique_ptr<RunPlan>* out);

  Status Execute(OrtRunOptions* run_options) override;
  // Resolves with { [outputName]: Tensor }.
  Status ToJs(Napi::Env env, Napi::Value* out) override;
  const SessionCore& core() const override { return *core_; }

 private:
  explicit RunPlan(std::shared_ptr<SessionCore> core) : core_(std::move(core)) {}
  Status PrepareOutputs(const Napi::Value& indices, const Napi::Value& preallocated);

  std::shared_ptr<SessionCore> core_;
  std::vector<ValuePtr> inputs_;                     // OrtValues over the JS input buffers
  std::vector<const OrtValue*> input_values_;        // inputs_[i].get(), as Run wants them
  std::vector<size_t> output_indices_;               // which session outputs to fetch
  std::vector<const char*> output_names_;            // their names (owned by core_)
  std::vector<OrtValue*> outputs_;                   // Run's out-param: null = ORT allocates
  std::vector<ValuePtr> owned_outputs_;              // ORT-allocated outputs, until ToJs
  std::vector<ValuePtr> preallocated_values_;        // OrtValues over caller-given output memory
  std::vector<Napi::Reference<Napi::Value>> kept_;   // keeps JS buffers alive across threads
  std::vector<Napi::Reference<Napi::Value>> preallocated_refs_;  // the caller's Tensors
};

}  // namespace inferline
