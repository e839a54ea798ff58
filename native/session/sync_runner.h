// The staged path: runSync's, and run()'s without a signal (StagedRunPlan lends a runner to each
// run in flight). A run on a small model is nearly all call overhead, so this path avoids what a
// RunPlan pays per call: its vectors live as long as the runner, an input's OrtValue is reused
// while the caller passes the same memory with the same dims, dims and output shapes travel
// through a buffer both sides can read without a Node-API call, and small outputs are placed in
// that buffer for JS to slice out (src/session/sync-staging.ts builds the Tensors and the result
// object, in JIT-compiled code, far cheaper than through Node-API).
//
// The staging buffer, an ArrayBuffer the JS session owns and lends to each call:
//   float64 [0]          C, the length in float64s of the list that follows;
//   float64 [1, 1 + C)   the list. Going in: per input, its rank then its dims. Coming out: per
//                        fetched output, where its data is, then its rank and dims. Where: a byte
//                        offset into the buffer (the data was copied there), -1 (the returned
//                        array holds it), -2 (ORT wrote into the caller's preallocated Tensor;
//                        rank 0 follows);
//   bytes [8 (1 + C), end)  the data area: outputs of up to kStageMaxBytes, 8-aligned.
//
// While the inputs keep their dims, the outputs almost always keep their shapes: once a call has
// shown them, later calls have ORT write those outputs straight into the data area (preallocated),
// which spares ORT's allocation, the copy and the shape queries. A model whose output shapes
// depend on input values makes such a run fail on the shape; it is then run again the ordinary
// way, and this session stops predicting.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "session/output_selection.h"
#include "session/session_core.h"
#include "tensor/js_to_ort.h"
#include "tensor/ort_to_js.h"

namespace inferline {

class SyncRunner {
 public:
  // `call` names the JS call in messages: "runSync", or "run" for a runner lent to async runs.
  explicit SyncRunner(const char* call = "runSync") : call_(call) {}

  // Outputs up to this size are copied into the staging buffer; larger ones become their own
  // ArrayBuffers (wrapped without a copy past 1 KiB, see ort_to_js.cc).
  static constexpr size_t kStageMaxBytes = 1024;

  // runSync(datas, staging, outputIndices?, preallocated?) => undefined | Array
  //   datas: one typed array (or string array) per session input, in session input order; or,
  //          for a session with one input, that input's typed array alone;
  //   staging: the buffer above, its list holding the inputs' dims;
  //   outputIndices, preallocated: as ReadOutputSelection (output_selection.h) reads them.
  // Returns undefined when every output's data is in the staging buffer or preallocated, else
  // an Array holding the others' data at their output positions. When the output list does not
  // fit in C float64s, it goes to a new Float64Array (same layout, from index 0) at position
  // `count` of the returned Array.
  Status Run(const std::shared_ptr<SessionCore>& core, const Napi::CallbackInfo& info, Napi::Value* out);

  // Run in three steps, for an async run (StagedRunPlan) that borrows this runner from the
  // session until it has completed: Prepare reads the arguments (JS thread; the caller checks
  // for a pending exception after it); ExecutePrepared runs the session (any thread, no
  // Node-API); Deliver hands the outputs over as Run returns them (JS thread, after a successful
  // ExecutePrepared). Clear drops what one call left behind, whether or not it got that far.
  Status Prepare(const SessionCore& core, const Napi::CallbackInfo& info);
  Status ExecutePrepared(const SessionCore& core);
  Status Deliver(Napi::Env env, const SessionCore& core, Napi::Value* out);
  void Clear();

  // What the call being prepared read: each input's data as passed, and the caller-given
  // outputs. Their Napi::Values are only valid until Prepare's caller returns to JS.
  const std::vector<Napi::Value>& read_inputs() const { return read_inputs_; }
  const std::vector<PreallocatedOutput>& preallocated() const { return preallocated_; }

 private:
  // An input's OrtValue and what it was made over: reused when a call passes the same memory
  // with the same dims. The OrtValue never reads the memory outside a run, so a stale entry is
  // harmless; only an exact match (same address and dims, hence length) is ever run.
  struct InputSlot {
    std::vector<int64_t> dims;    // the previous call's dims (whether or not its value is reusable)
    const void* bytes = nullptr;  // what `value` is over; null when it is not reusable
    ValuePtr value;
  };

  // A session output's shape as the last call with the current input dims gave it, and the
  // OrtValue over the place in the staging buffer it was last written to.
  struct OutputSlot {
    bool known = false;
    std::vector<int64_t> dims;
    size_t bytes = 0;
    uint8_t* at = nullptr;
    ValuePtr value;
  };

  struct Staging {
    double* list = nullptr;      // the list (after the capacity)
    size_t list_length = 0;      // C
    uint8_t* base = nullptr;     // the buffer's start, for data offsets
    size_t data_begin = 0;       // first byte of the data area
    size_t byte_length = 0;
  };

  Status ReadStaging(const SessionCore& core, const Napi::Value& value, Staging* out);
  Status PrepareInputs(const SessionCore& core, const Napi::Value& datas_value, const Staging& staging);
  Status PrepareOutputs(const SessionCore& core, const Napi::Value& indices, const Napi::Value& preallocated);
  // Points the fetched outputs into the data area when their shapes are known; false if not.
  bool StageOutputs(const SessionCore& core, const Staging& staging);
  // Runs the session; when staged outputs fail, runs again without them.
  Status Execute(const SessionCore& core);
  // Hands the run's outputs to JS as described above.
  Status DeliverOutputs(Napi::Env env, const SessionCore& core, const Staging& staging, Napi::Value* out);
  Status DeliverStagedOutputs(Napi::Env env, const Staging& staging, Napi::Value* out);

  std::vector<InputSlot> inputs_;
  std::vector<const OrtValue*> input_values_;
  std::vector<size_t> output_indices_;
  std::vector<const char*> output_names_;
  std::vector<OrtValue*> outputs_;            // Run's out-param: null = ORT allocates
  std::vector<ValuePtr> owned_outputs_;       // what ORT allocated, until it is handed to JS
  std::vector<PreallocatedOutput> preallocated_;  // caller-given outputs (during a call only)
  std::vector<Napi::Value> read_inputs_;      // the call's input data as read (Prepare to Clear)
  TensorData input_;                          // one input as read, its vectors reused
  OutputInfo output_;                         // one output as described, its dims reused
  std::vector<double> list_;                  // the output list, before it goes to JS
  std::vector<OutputSlot> output_slots_;      // by session output index
  const char* call_;                          // a string literal
  Staging staging_;                           // the call's staging buffer, as Prepare read it
  bool staged_ = false;                       // this call's outputs_ point into the data area
  bool predict_shapes_ = true;                // cleared for good when a prediction failed
  RunOptionsPtr quiet_run_options_;           // for predicted runs: ORT logs fatal errors only
};

}  // namespace inferline
