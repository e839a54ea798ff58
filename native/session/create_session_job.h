// Session.create off the JS thread: loading and optimising a model can take seconds.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "runtime/job.h"
#include "session/session_core.h"

namespace inferline {

class CreateSessionJob : public Job {
 public:
  // `source` is a path string or a Uint8Array of model bytes (referenced, not copied, until
  // ORT has parsed it). `options` were built on the JS thread.
  CreateSessionJob(Napi::Env env, EnvState* env_state, std::string label, const Napi::Value& source,
                   SessionOptionsPtr options);

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override;
  void Complete(Napi::Env env) override;

 private:
  std::string label_;
  std::string path_;                      // empty when created from bytes
  const void* bytes_ = nullptr;           // points into bytes_ref_'s buffer
  size_t byte_length_ = 0;
  Napi::Reference<Napi::Value> bytes_ref_;
  SessionOptionsPtr options_;
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<SessionCore> core_;     // the result, handed to the JS wrapper in Complete
  Status status_;
};

}  // namespace inferline
