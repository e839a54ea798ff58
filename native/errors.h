// Status values and the one place where a native failure becomes a JavaScript error.
//
// Internal C++ returns a Status and writes results through trailing out-params; RETURN_IF_ERROR
// propagates failures. Only ThrowAsJs/ToJsError (main thread) touch JavaScript.
#pragma once

#include <napi.h>

#include <string>
#include <utility>

namespace inferline {

// Stable error kinds; each maps to one ERR_INFERLINE_* code string (see CodeName).
enum class ErrorCode {
  kOk = 0,
  kInvalidArg,        // a JS value of the wrong kind or out of range
  kRuntimeLoad,       // libonnxruntime could not be loaded or is too old
  kOrt,               // ONNX Runtime itself reported a failure
  kSessionClosed,     // use of a Session after close()
  kAborted,           // run cancelled through its AbortSignal
  kProviderUnavailable,  // an execution provider was requested that this runtime cannot give
  kUnsupported,       // a model feature inferline does not handle (e.g. non-tensor values)
  kInternal,          // an invariant of ours broke; a bug, reported instead of aborting
};

const char* CodeName(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // ONNX Runtime's own OrtErrorCode, kept for kOrt errors (0 otherwise).
  int ort_code() const { return ort_code_; }
  void set_ort_code(int ort_code) { ort_code_ = ort_code; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  int ort_code_ = 0;
};

#define INFERLINE_RETURN_IF_ERROR(expr)      \
  do {                                       \
    ::inferline::Status status__ = (expr);   \
    if (!status__.ok()) return status__;     \
  } while (false)

// Builds the JS error for `status` with the factory registered by src/native.ts at load time
// (so the error is an InferlineError with `code`), falling back to a plain Error if none is set.
Napi::Value ToJsError(Napi::Env env, const Status& status);

// Throws `status` as a JS exception on the main thread, unless a JS exception is already pending.
void ThrowAsJs(Napi::Env env, const Status& status);

}  // namespace inferline
