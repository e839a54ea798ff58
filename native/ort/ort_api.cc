#include "ort/ort_api.h"

#include <dlfcn.h>

#include <mutex>

namespace inferline {
namespace {

// Process-wide runtime state. Deliberately never destroyed: pool threads may still be inside ORT
// while static destructors run at process exit, and ORT's own teardown order is not ours to
// control, so releasing the library or OrtEnv at exit would trade a leak for a crash.
struct LoadedRuntime {
  std::mutex load_mutex;      // serialises loading across JS environments (worker threads)
  std::string library_path;   // the path loaded (or last tried, while api is null)
  void* library = nullptr;
  const OrtApiBase* api_base = nullptr;
  const OrtApi* api = nullptr;
  OrtEnv* env = nullptr;
};

LoadedRuntime& Runtime() {
  static LoadedRuntime* runtime = new LoadedRuntime();
  return *runtime;
}

Status LoadOnce(const RuntimeLoadOptions& options, LoadedRuntime* runtime) {
  runtime->library_path = options.library_path;
  if (options.library_path.empty()) {
    return Status(ErrorCode::kRuntimeLoad,
                  "No ONNX Runtime library path was given; set ORT_LIB_PATH or install onnxruntime-node");
  }
  dlerror();
  void* library = dlopen(options.library_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    return Status(ErrorCode::kRuntimeLoad, "Could not load ONNX Runtime from \"" + options.library_path +
                                               "\": " + (reason != nullptr ? reason : "unknown dlopen error"));
  }
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(dlsym(library, "OrtGetApiBase"));
  if (get_api_base == nullptr) {
    dlclose(library);
    return Status(ErrorCode::kRuntimeLoad, "\"" + options.library_path +
                                               "\" is not ONNX Runtime: it has no OrtGetApiBase symbol");
  }
  const OrtApiBase* api_base = get_api_base();
  const OrtApi* api = api_base->GetApi(ORT_API_VERSION);
  if (api == nullptr) {
    std::string found = api_base->GetVersionString();
    dlclose(library);
    return Status(ErrorCode::kRuntimeLoad, "ONNX Runtime at \"" + options.library_path + "\": found version " +
                                               found + ", requires a runtime that offers C API version " +
                                               std::to_string(ORT_API_VERSION) + " or newer");
  }
  OrtEnv* env = nullptr;
  OrtStatus* status = api->CreateEnv(static_cast<OrtLoggingLevel>(options.log_level), "inferline", &env);
  if (status != nullptr) {
    std::string message = api->GetErrorMessage(status);
    api->ReleaseStatus(status);
    return Status(ErrorCode::kRuntimeLoad, "ONNX Runtime could not create its environment: " + message);
  }
  runtime->library = library;
  runtime->api_base = api_base;
  runtime->api = api;
  runtime->env = env;
  return Status::Ok();
}

}  // namespace

Status LoadRuntime(const RuntimeLoadOptions& options) {
  LoadedRuntime& runtime = Runtime();
  std::lock_guard<std::mutex> lock(runtime.load_mutex);
  if (runtime.api == nullptr) {
    // Not loaded yet, or an earlier attempt failed: a failed path may be followed by a good one.
    return LoadOnce(options, &runtime);
  }
  if (!options.library_path.empty() && options.library_path != runtime.library_path) {
    return Status(ErrorCode::kRuntimeLoad, "ONNX Runtime is already loaded from \"" + runtime.library_path +
                                               "\"; cannot load \"" + options.library_path +
                                               "\" as well (one runtime per process)");
  }
  return Status::Ok();
}

bool RuntimeLoaded() {
  LoadedRuntime& runtime = Runtime();
  std::lock_guard<std::mutex> lock(runtime.load_mutex);
  return runtime.api != nullptr;
}
const OrtApi* Api() { return Runtime().api; }
OrtEnv* ProcessEnv() { return Runtime().env; }

Status GetRuntimeInfo(RuntimeInfo* info) {
  LoadedRuntime& runtime = Runtime();
  if (runtime.api == nullptr) return Status(ErrorCode::kRuntimeLoad, "ONNX Runtime is not loaded");
  info->ort_version = runtime.api_base->GetVersionString();
  info->library_path = runtime.library_path;
  info->api_version = ORT_API_VERSION;
  const char* build_info = runtime.api->GetBuildInfoString();
  info->build_info = build_info != nullptr ? build_info : "";
  char** names = nullptr;
  int count = 0;
  INFERLINE_RETURN_IF_ORT_ERROR(runtime.api->GetAvailableProviders(&names, &count), "GetAvailableProviders");
  info->providers.clear();
  for (int i = 0; i < count; ++i) info->providers.emplace_back(names[i]);
  OrtStatus* release = runtime.api->ReleaseAvailableProviders(names, count);
  if (release != nullptr) runtime.api->ReleaseStatus(release);
  return Status::Ok();
}

Status FromOrt(OrtStatus* ort_status, const std::string& context) {
  if (ort_status == nullptr) return Status::Ok();
  const OrtApi* api = Api();
  std::string message = api->GetErrorMessage(ort_status);
  int ort_code = static_cast<int>(api->GetErrorCode(ort_status));
  api->ReleaseStatus(ort_status);
  Status status(ErrorCode::kOrt, context.empty() ? "ONNX Runtime: " + message
                                                 : context + ": ONNX Runtime: " + message);
  status.set_ort_code(ort_code);
  return status;
}

}  // namespace inferline
