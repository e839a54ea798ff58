// An ONNX Runtime session and the metadata every run needs, shared by the JS wrapper and the
// jobs in flight (shared_ptr): the OrtSession is released when the last of them lets go, so
// close() never frees a session under a running job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/buffer_pool.h"
#include "ort/ort_handles.h"
#include "tensor/value_info.h"

namespace inferline {

class SessionCore {
 public:
  // Creates the session from a file path or from bytes (exactly one of path/bytes is used).
  // Runs on a pool thread: may take long for large models.
  static Status Create(const std::string& label, const std::string& path, const void* bytes, size_t byte_length,
                       const OrtSessionOptions* options, std::shared_ptr<SessionCore>* out);

  OrtSession* session() const { return session_.get(); }
  const std::string& label() const { return label_; }
  const std::vector<ValueInfo>& inputs() const { return inputs_; }
  const std::vector<ValueInfo>& outputs() const { return outputs_; }
  const char* const* input_names() const { return input_names_.data(); }
  const char* const* output_names() const { return output_names_.data(); }
  // Batch input buffers, recycled across runs (thread-safe).
  BufferPool& batch_buffers() const { return batch_buffers_; }

 private:
  SessionCore() = default;
  Status ReadMetadata();

  std::string label_;                      // how messages name this session ("Session \"cls.onnx\"")
  SessionPtr session_;
  std::vector<ValueInfo> inputs_;
  std::vector<ValueInfo> outputs_;
  std::vector<const char*> input_names_;   // point into inputs_[i].name; inputs_ never changes
  std::vector<const char*> output_names_;
  mutable BufferPool batch_buffers_;
};

}  // namespace inferline
