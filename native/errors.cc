#include "errors.h"

#include "runtime/env_state.h"

namespace inferline {

const char* CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kInvalidArg: return "ERR_INFERLINE_INVALID_ARG";
    case ErrorCode::kRuntimeLoad: return "ERR_INFERLINE_RUNTIME_LOAD";
    case ErrorCode::kOrt: return "ERR_INFERLINE_ORT";
    case ErrorCode::kSessionClosed: return "ERR_INFERLINE_SESSION_CLOSED";
    case ErrorCode::kAborted: return "ERR_INFERLINE_ABORTED";
    case ErrorCode::kProviderUnavailable: return "ERR_INFERLINE_PROVIDER_UNAVAILABLE";
    case ErrorCode::kUnsupported: return "ERR_INFERLINE_UNSUPPORTED";
    case ErrorCode::kInternal: return "ERR_INFERLINE_INTERNAL";
  }
  return "ERR_INFERLINE_INTERNAL";
}

Napi::Value ToJsError(Napi::Env env, const Status& status) {
  EnvState* state = EnvState::Get(env);
  if (state != nullptr && !state->make_error.IsEmpty()) {
    Napi::Value error = state->make_error.Call(
        {Napi::String::New(env, CodeName(status.code())), Napi::String::New(env, status.message()),
         Napi::Number::New(env, status.ort_code())});
    // A throwing factory would leave an exception pending; fall through to a plain Error then.
    if (!env.IsExceptionPending() && !error.IsEmpty()) return error;
    if (env.IsExceptionPending()) env.GetAndClearPendingException();
  }
  Napi::Error plain = Napi::Error::New(env, status.message());
  plain.Set("code", Napi::String::New(env, CodeName(status.code())));
  return plain.Value();
}

void ThrowAsJs(Napi::Env env, const Status& status) {
  // A JS exception already pending (a getter of the caller's object threw while we read it) is
  // the root cause: let it propagate rather than replace it with our consequence of it.
  if (env.IsExceptionPending()) return;
  Napi::Value error = ToJsError(env, status);
  napi_throw(env, error);
}

}  // namespace inferline
