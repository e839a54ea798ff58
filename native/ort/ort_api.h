// Loads ONNX Runtime at run time (dlopen) and hands out its C API table.
//
// ONNX Runtime is never linked: the addon must load without it so that a missing library becomes a
// JS error at first use rather than a failure at import. The library is process-wide and loaded
// once per process, under a mutex; every JS environment (main thread and workers) shares it and
// its single OrtEnv.
#pragma once

#include <onnxruntime_c_api.h>

#include <string>
#include <vector>

#include "errors.h"

namespace inferline {

struct RuntimeLoadOptions {
  // Path of libonnxruntime chosen by the JS side (explicit option, ORT_LIB_PATH, or the library
  // bundled with onnxruntime-node), in that order of preference.
  std::string library_path;
  // OrtLoggingLevel of the process-wide OrtEnv.
  int log_level = ORT_LOGGING_LEVEL_WARNING;
};

struct RuntimeInfo {
  std::string ort_version;
  std::string library_path;
  std::string build_info;
  int api_version = 0;                   // the API version we requested (our headers')
  std::vector<std::string> providers;    // ORT provider names compiled into the library
};

// Loads the runtime once per process. After a success, a call asking for a different path fails
// with kRuntimeLoad naming both paths; after a failure, the next call tries again.
Status LoadRuntime(const RuntimeLoadOptions& options);

// True once LoadRuntime succeeded.
bool RuntimeLoaded();

// The API table and the process-wide environment; only valid after LoadRuntime succeeded.
const OrtApi* Api();
OrtEnv* ProcessEnv();

Status GetRuntimeInfo(RuntimeInfo* info);

// Converts an OrtStatus (taking ownership and releasing it) into our Status; nullptr is Ok.
// `context` prefixes the message so that it names what failed ("Session \"det\" run").
Status FromOrt(OrtStatus* ort_status, const std::string& context = std::string());

#define INFERLINE_RETURN_IF_ORT_ERROR(call, context)                       \
  do {                                                                     \
    OrtStatus* ort_status__ = (call);                                      \
    if (ort_status__ != nullptr) return ::inferline::FromOrt(ort_status__, (context)); \
  } while (false)

}  // namespace inferline
