// Module initialisation only: per-environment state and the exported functions.
#include <napi.h>

#include "cache/hash128_bindings.h"
#include "runtime/env_state.h"
#include "runtime/runtime_bindings.h"
#include "session/session_wrap.h"

namespace inferline {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  EnvState* state = EnvState::Create(env);
  Napi::Function session_class = SessionWrap::Define(env);
  state->session_ctor = Napi::Persistent(session_class);
  exports.Set("NativeSession", session_class);
  exports.Set("loadRuntime", Napi::Function::New<LoadRuntimeJs>(env, "loadRuntime"));
  exports.Set("runtimeInfo", Napi::Function::New<RuntimeInfoJs>(env, "runtimeInfo"));
  exports.Set("setup", Napi::Function::New<SetupJs>(env, "setup"));
  exports.Set("createSession", Napi::Function::New<CreateSessionJs>(env, "createSession"));
  exports.Set("hash128", Hash128Function(env));
  exports.Set("hash128List", Hash128ListFunction(env));
  return exports;
}

}  // namespace inferline

// NODE_API_MODULE pastes its argument into an identifier, so it needs an unqualified name.
static Napi::Object InitInferline(Napi::Env env, Napi::Object exports) { return inferline::Init(env, exports); }

NODE_API_MODULE(inferline, InitInferline)
