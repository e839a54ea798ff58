#include "session/create_session_job.h"

#include "runtime/env_state.h"

namespace inferline {

CreateSessionJob::CreateSessionJob(Napi::Env env, EnvState* env_state, std::string label, const Napi::Value& source,
                                   SessionOptionsPtr options)
    : Job(env_state), label_(std::move(label)), options_(std::move(options)), deferred_(Napi::Promise::Deferred::New(env)) {
  if (source.IsString()) {
    path_ = source.As<Napi::String>().Utf8Value();
  } else {
    Napi::TypedArray typed = source.As<Napi::TypedArray>();
    bytes_ = static_cast<const uint8_t*>(typed.ArrayBuffer().Data()) + typed.ByteOffset();
    byte_length_ = typed.ByteLength();
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
