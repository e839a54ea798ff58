// Move-only owners for ONNX Runtime handles: each destructor calls the matching Release*.
#pragma once

#include <memory>

#include "ort/ort_api.h"

namespace inferline {

template <typename T, void (*Release)(T*)>
struct OrtDeleter {
  void operator()(T* handle) const {
    if (handle != nullptr) Release(handle);
  }
};

inline void ReleaseValue(OrtValue* v) { Api()->ReleaseValue(v); }
inline void ReleaseSession(OrtSession* v) { Api()->ReleaseSession(v); }
inline void ReleaseSessionOptions(OrtSessionOptions* v) { Api()->ReleaseSessionOptions(v); }
inline void ReleaseRunOptions(OrtRunOptions* v) { Api()->ReleaseRunOptions(v); }
inline void ReleaseMemoryInfo(OrtMemoryInfo* v) { Api()->ReleaseMemoryInfo(v); }
inline void ReleaseTypeInfo(OrtTypeInfo* v) { Api()->ReleaseTypeInfo(v); }
inline void ReleaseTensorTypeAndShapeInfo(OrtTensorTypeAndShapeInfo* v) { Api()->ReleaseTensorTypeAndShapeInfo(v); }
inline void ReleaseCUDAProviderOptions(OrtCUDAProviderOptionsV2* v) { Api()->ReleaseCUDAProviderOptions(v); }
inline void ReleaseTensorRTProviderOptions(OrtTensorRTProviderOptionsV2* v) {
  Api()->ReleaseTensorRTProviderOptions(v);
}

using ValuePtr = std::unique_ptr<OrtValue, OrtDeleter<OrtValue, ReleaseValue>>;
using SessionPtr = std::unique_ptr<OrtSession, OrtDeleter<OrtSession, ReleaseSession>>;
using SessionOptionsPtr = std::unique_ptr<OrtSessionOptions, OrtDeleter<OrtSessionOptions, ReleaseSessionOptions>>;
using RunOptionsPtr = std::unique_ptr<OrtRunOptions, OrtDeleter<OrtRunOptions, ReleaseRunOptions>>;
using MemoryInfoPtr = std::unique_ptr<OrtMemoryInfo, OrtDeleter<OrtMemoryInfo, ReleaseMemoryInfo>>;
using TypeInfoPtr = std::unique_ptr<OrtTypeInfo, OrtDeleter<OrtTypeInfo, ReleaseTypeInfo>>;
using TensorInfoPtr =
    std::unique_ptr<OrtTensorTypeAndShapeInfo, OrtDeleter<OrtTensorTypeAndShapeInfo, ReleaseTensorTypeAndShapeInfo>>;
using CudaOptionsPtr =
    std::unique_ptr<OrtCUDAProviderOptionsV2, OrtDeleter<OrtCUDAProviderOptionsV2, ReleaseCUDAProviderOptions>>;
using TensorRtOptionsPtr = std::unique_ptr<OrtTensorRTProviderOptionsV2,
                                           OrtDeleter<OrtTensorRTProviderOptionsV2, ReleaseTensorRTProviderOptions>>;

// The CPU memory description used for every tensor created over JS memory. Created once per
// process (after the runtime loaded) and never released, like the runtime itself.
const OrtMemoryInfo* CpuMemoryInfo();

}  // namespace inferline
