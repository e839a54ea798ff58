#include "runtime/runtime_bindings.h"

#include "ort/ort_api.h"
#include "runtime/env_state.h"
#include "runtime/thread_pool.h"
#include "session/create_session_job.h"
#include "session/session_options.h"

namespace inferline {
namespace {

Napi::Value Fail(Napi::Env env, const Status& status) {
  ThrowAsJs(env, status);
  return env.Undefined();
}

}  // namespace

Napi::Value LoadRuntimeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    return Fail(env, Status(ErrorCode::kInvalidArg, "loadRuntime(libraryPath: string, logLevel: number)"));
  }
  RuntimeLoadOptions options;
  options.library_path = info[0].As<Napi::String>().Utf8Value();
  int level = info[1].As<Napi::Number>().Int32Value();
  options.log_level = level < 0 || level > 4 ? ORT_LOGGING_LEVEL_WARNING : level;
  Status status = LoadRuntime(options);
  if (!status.ok()) return Fail(env, status);
  return env.Undefined();
}

Napi::Value RuntimeInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RuntimeInfo runtime;
  Status status = GetRuntimeInfo(&runtime);
  if (!status.ok()) return Fail(env, status);
  Napi::Object result = Napi::Object::New(env);
  result.Set("ortVersion", runtime.ort_version);
  result.Set("ortLibraryPath", runtime.library_path);
  result.Set("ortBuildInfo", runtime.build_info);
  result.Set("apiVersion", Napi::Number::New(env, runtime.api_version));
  result.Set("threads", Napi::Number::New(env, static_cast<double>(ThreadPool::Shared().size())));
  Napi::Array providers = Napi::Array::New(env, runtime.providers.size());
  for (size_t i = 0; i < runtime.providers.size(); ++i) providers.Set(static_cast<uint32_t>(i), runtime.providers[i]);
  result.Set("ortProviders", providers);
  return result;
}

Napi::Value SetupJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    return Fail(env, Status(ErrorCode::kInvalidArg, "setup(makeError: Function, makeTensor: Function)"));
  }
  EnvState* state = EnvState::Get(env);
  state->make_error = Napi::Persistent(info[0].As<Napi::Function>());
  state->make_tensor = Napi::Persistent(info[1].As<Napi::Function>());
  return env.Undefined();
}

Napi::Value CreateSessionJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!RuntimeLoaded()) return Fail(env, Status(ErrorCode::kRuntimeLoad, "ONNX Runtime is not loaded"));
  if (info.Length() < 3 || !(info[0].IsString() || info[0].IsTypedArray()) || !info[1].IsObject() ||
      !info[2].IsString()) {
    return Fail(env, Status(ErrorCode::kInvalidArg,
                            "createSession(pathOrBytes: string | Uint8Array, options: object, label: string)"));
  }
  if (info[0].IsTypedArray()) {
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env, info[0], &type, &length, &data, nullptr, nullptr);
    if (type != napi_uint8_array || data == nullptr || length == 0) {
      return Fail(env, Status(ErrorCode::kInvalidArg,
                              "Session.create: model bytes must be a non-empty Uint8Array (not detached)"));
    }
  }
  SessionOptionsPtr options;
  Status status = BuildSessionOptions(info[1].As<Napi::Object>(), &options);
  if (!status.ok() || env.IsExceptionPending()) return Fail(env, status);
  EnvState* state = EnvState::Get(env);
  auto job = std::make_unique<CreateSessionJob>(env, state, info[2].As<Napi::String>().Utf8Value(), info[0],
                                                std::move(options));
  Napi::Promise promise = job->promise();
  state->Submit(std::move(job));
  return promise;
}

}  // namespace inferline
