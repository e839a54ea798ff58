#include "ort/ort_handles.h"

namespace inferline {

const OrtMemoryInfo* CpuMemoryInfo() {
  // Function-local static: initialised once, thread-safe, intentionally leaked (see ort_api.cc).
  static OrtMemoryInfo* info = [] {
    OrtMemoryInfo* created = nullptr;
    OrtStatus* status = Api()->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &created);
    if (status != nullptr) Api()->ReleaseStatus(status);
    return created;
  }();
  return info;
}

}  // namespace inferline
