// Turns the normalised options object built by src/session/session-options.ts into
// OrtSessionOptions. Runs on the JS thread; checks every field again rather than trusting JS.
#pragma once

#include <napi.h>

#include "ort/ort_handles.h"

namespace inferline {

Status BuildSessionOptions(const Napi::Object& options, SessionOptionsPtr* out);

}  // namespace inferline
