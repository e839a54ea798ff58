// JS entry points that concern the process-wide runtime rather than one session.
#pragma once

#include <napi.h>

namespace inferline {

Napi::Value LoadRuntimeJs(const Napi::CallbackInfo& info);     // (libraryPath, logLevel) => undefined
Napi::Value RuntimeInfoJs(const Napi::CallbackInfo& info);     // () => { ortVersion, ... }
Napi::Value SetupJs(const Napi::CallbackInfo& info);           // (makeError, makeTensor) => undefined
Napi::Value CreateSessionJs(const Napi::CallbackInfo& info);   // (pathOrBytes, options, label) => Promise

}  // namespace inferline
