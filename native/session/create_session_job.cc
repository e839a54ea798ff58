#include "session/create_session_job.h"

#include "runtime/env_state.h"

namespace inferline {

CreateSessionJob::CreateSessionJob(Napi::Env env, EnvState* env_state, std::string label, const Napi::Value& source,
                                   SessionOptionsPtr options)
    : Job(env_state), label_(std::move(label)), options_(std::move(options)), deferred_(Napi::Promise::Deferred::New(env)) {
  if (source.IsString()) {
    path_ = source.As<Napi::String>().Utf8Value();
  } else {
    // The caller checked it is a Uint8Array; this also covers SharedArrayBuffer-backed bytes.
    void* data = nullptr;
    napi_get_typedarray_info(env, source, nullptr, &byte_length_, &data, nullptr, nullptr);
    bytes_ = data;
    bytes_ref_ = Napi::Persistent(source);
  }
}

void CreateSessionJob::Execute() {
  status_ = SessionCore::Create(label_, path_, bytes_, byte_length_, options_.get(), &core_);
}

void CreateSessionJob::Complete(Napi::Env env) {
  options_.reset();
  if (!status_.ok()) {
    deferred_.Reject(ToJsError(env, status_));
    return;
  }
  EnvState* state = EnvState::Get(env);
  Napi::Object wrapper = state->session_ctor.New({Napi::External<std::shared_ptr<SessionCore>>::New(env, &core_)});
  if (env.IsExceptionPending()) {
    deferred_.Reject(env.GetAndClearPendingException().Value());
    return;
  }
  deferred_.Resolve(wrapper);
}

}  // namespace inferline
