#include "session/session_options.h"

#include <string>
#include <vector>

namespace inferline {
namespace {

Status InvalidOption(const std::string& name, const std::string& expected) {
  return Status(ErrorCode::kInvalidArg, "Session option \"" + name + "\": expected " + expected);
}

// Reads an optional integer field in [min, max]; absent/undefined leaves *out untouched.
Status ReadInt(const Napi::Object& options, const char* name, int64_t min, int64_t max, bool* present, int64_t* out) {
  Napi::Value value = options.Get(name);
  *present = false;
  if (value.IsUndefined() || value.IsNull()) return Status::Ok();
  if (!value.IsNumber()) return InvalidOption(name, "an integer");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= static_cast<double>(min) && number <= static_cast<double>(max)) ||
      number != static_cast<double>(static_cast<int64_t>(number))) {
    return InvalidOption(name, "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  *present = true;
  *out = static_cast<int64_t>(number);
  return Status::Ok();
}

Status ReadBool(const Napi::Object& options, const char* name, bool* present, bool* out) {
  Napi::Value value = options.Get(name);
  *present = false;
  if (value.IsUndefined() || value.IsNull()) return Status::Ok();
  if (!value.IsBoolean()) return InvalidOption(name, "a boolean");
  *present = true;
  *out = value.As<Napi::Boolean>().Value();
  return Status::Ok();
}

// Reads [[key, value], ...] of strings.
Status ReadStringPairs(const Napi::Value& value, const std::string& name,
                       std::vector<std::pair<std::string, std::string>>* out) {
  if (value.IsUndefined() || value.IsNull()) return Status::Ok();
  if (!value.IsArray()) return InvalidOption(name, "an array of [key, value] string pairs");
  Napi::Array pairs = value.As<Napi::Array>();
  for (uint32_t i = 0; i < pairs.Length(); ++i) {
    Napi::Value pair = pairs.Get(i);
    if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2) {
      return InvalidOption(name, "an array of [key, value] string pairs");
    }
    Napi::Value key = pair.As<Napi::Array>().Get(0u);
    Napi::Value text = pair.As<Napi::Array>().Get(1u);
    if (!key.IsString() || !text.IsString()) return InvalidOption(name, "an array of [key, value] string pairs");
    out->emplace_back(key.As<Napi::String>().Utf8Value(), text.As<Napi::String>().Utf8Value());
  }
  return Status::Ok();
}

Status ProviderUnavailable(const std::string& provider, Status cause) {
  return Status(ErrorCode::kProviderUnavailable,
                "Execution provider \"" + provider + "\" is not available with this ONNX Runtime: " +
                    cause.message() +
                    ". It needs ONNX Runtime's " + provider +
                    " provider library next to libonnxruntime, an NVIDIA GPU, and the matching CUDA libraries; "
                    "use providers: ['cpu'] or omit the option on machines without them");
}

Status AppendProvider(OrtSessionOptions* session_options, const Napi::Object& provider) {
  const OrtApi* api = Api();
  Napi::Value name_value = provider.Get("name");
  if (!name_value.IsString()) return InvalidOption("providers", "objects with a string name");
  std::string name = name_value.As<Napi::String>().Utf8Value();
  std::vector<std::pair<std::string, std::string>> pairs;
  INFERLINE_RETURN_IF_ERROR(ReadStringPairs(provider.Get("options"), "providers[].options", &pairs));
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& pair : pairs) {
    keys.push_back(pair.first.c_str());
    values.push_back(pair.second.c_str());
  }
  if (name == "cpu") return Status::Ok();
  if (name == "cuda") {
    OrtCUDAProviderOptionsV2* raw = nullptr;
    Status created = FromOrt(api->CreateCUDAProviderOptions(&raw), "CreateCUDAProviderOptions");
    if (!created.ok()) return ProviderUnavailable(name, created);
    CudaOptionsPtr cuda(raw);
    // ORT loads the provider bridge (libonnxruntime_providers_shared) here already, so a machine
    // without it fails at this step: that too means the provider is unavailable.
    Status updated = FromOrt(api->UpdateCUDAProviderOptions(cuda.get(), keys.data(), values.data(), keys.size()),
                             "UpdateCUDAProviderOptions");
    if (!updated.ok()) return ProviderUnavailable(name, updated);
    Status appended = FromOrt(api->SessionOptionsAppendExecutionProvider_CUDA_V2(session_options, cuda.get()),
                              "append CUDA provider");
    return appended.ok() ? appended : ProviderUnavailable(name, appended);
  }
  if (name == "tensorrt") {
    OrtTensorRTProviderOptionsV2* raw = nullptr;
    Status created = FromOrt(api->CreateTensorRTProviderOptions(&raw), "CreateTensorRTProviderOptions");
    if (!created.ok()) return ProviderUnavailable(name, created);
    TensorRtOptionsPtr tensorrt(raw);
    Status updated = FromOrt(
        api->UpdateTensorRTProviderOptions(tensorrt.get(), keys.data(), values.data(), keys.size()),
        "UpdateTensorRTProviderOptions");
    if (!updated.ok()) return ProviderUnavailable(name, updated);
    Status appended = FromOrt(
        api->SessionOptionsAppendExecutionProvider_TensorRT_V2(session_options, tensorrt.get()),
        "append TensorRT provider");
    return appended.ok() ? appended : ProviderUnavailable(name, appended);
  }
  return InvalidOption("providers", "'cpu', 'cuda' or 'tensorrt', received \"" + name + "\"");
}

}  // namespace

Status BuildSessionOptions(const Napi::Object& options, SessionOptionsPtr* out) {
  const OrtApi* api = Api();
  OrtSessionOptions* raw = nullptr;
  INFERLINE_RETURN_IF_ORT_ERROR(api->CreateSessionOptions(&raw), "CreateSessionOptions");
  SessionOptionsPtr session_options(raw);
  bool present = false;
  int64_t number = 0;
  bool flag = false;

  INFERLINE_RETURN_IF_ERROR(ReadInt(options, "intraOpThreads", 0, 1024, &present, &number));
  if (present) INFERLINE_RETURN_IF_ORT_ERROR(api->SetIntraOpNumThreads(raw, static_cast<int>(number)), "intraOpThreads");
  INFERLINE_RETURN_IF_ERROR(ReadInt(options, "interOpThreads", 0, 1024, &present, &number));
  if (present) INFERLINE_RETURN_IF_ORT_ERROR(api->SetInterOpNumThreads(raw, static_cast<int>(number)), "interOpThreads");
  INFERLINE_RETURN_IF_ERROR(ReadInt(options, "graphOptimizationLevel", 0, 99, &present, &number));
  if (present) {
    INFERLINE_RETURN_IF_ORT_ERROR(
        api->SetSessionGraphOptimizationLevel(raw, static_cast<GraphOptimizationLevel>(number)), "graphOptimization");
  }
  INFERLINE_RETURN_IF_ERROR(ReadInt(options, "executionMode", 0, 1, &present, &number));
  if (present) {
    INFERLINE_RETURN_IF_ORT_ERROR(api->SetSessionExecutionMode(raw, static_cast<ExecutionMode>(number)),
                                  "executionMode");
  }
  INFERLINE_RETURN_IF_ERROR(ReadBool(options, "memoryArena", &present, &flag));
  if (present) {
    INFERLINE_RETURN_IF_ORT_ERROR(flag ? api->EnableCpuMemArena(raw) : api->DisableCpuMemArena(raw), "memoryArena");
  }
  INFERLINE_RETURN_IF_ERROR(ReadBool(options, "memoryPattern", &present, &flag));
  if (present) {
    INFERLINE_RETURN_IF_ORT_ERROR(flag ? api->EnableMemPattern(raw) : api->DisableMemPattern(raw), "memoryPattern");
  }
  INFERLINE_RETURN_IF_ERROR(ReadInt(options, "logSeverityLevel", 0, 4, &present, &number));
  if (present) INFERLINE_RETURN_IF_ORT_ERROR(api->SetSessionLogSeverityLevel(raw, static_cast<int>(number)), "logLevel");

  Napi::Value free_dimensions = options.Get("freeDimensions");
  if (!free_dimensions.IsUndefined() && !free_dimensions.IsNull()) {
    if (!free_dimensions.IsArray()) return InvalidOption("freeDimensions", "an array of [name, size] pairs");
    Napi::Array pairs = free_dimensions.As<Napi::Array>();
    for (uint32_t i = 0; i < pairs.Length(); ++i) {
      Napi::Value pair = pairs.Get(i);
      if (!pair.IsArray()) return InvalidOption("freeDimensions", "an array of [name, size] pairs");
      Napi::Value name = pair.As<Napi::Array>().Get(0u);
      Napi::Value size = pair.As<Napi::Array>().Get(1u);
      if (!name.IsString() || !size.IsNumber()) return InvalidOption("freeDimensions", "an array of [name, size] pairs");
      double value = size.As<Napi::Number>().DoubleValue();
      if (!(value >= 0 && value <= 9007199254740991.0) || value != static_cast<double>(static_cast<int64_t>(value))) {
        return InvalidOption("freeDimensions", "non-negative integer sizes");
      }
      std::string dim_name = name.As<Napi::String>().Utf8Value();
      INFERLINE_RETURN_IF_ORT_ERROR(
          api->AddFreeDimensionOverrideByName(raw, dim_name.c_str(), static_cast<int64_t>(value)), "freeDimensions");
    }
  }

  Napi::Value profile_prefix = options.Get("profilePrefix");
  if (profile_prefix.IsString()) {
    std::string prefix = profile_prefix.As<Napi::String>().Utf8Value();
    INFERLINE_RETURN_IF_ORT_ERROR(api->EnableProfiling(raw, prefix.c_str()), "profile");
  } else if (!profile_prefix.IsUndefined() && !profile_prefix.IsNull()) {
    return InvalidOption("profile", "a file name prefix string");
  }

  Napi::Value providers = options.Get("providers");
  if (!providers.IsUndefined() && !providers.IsNull()) {
    if (!providers.IsArray()) return InvalidOption("providers", "an array");
    Napi::Array list = providers.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value provider = list.Get(i);
      if (!provider.IsObject()) return InvalidOption("providers", "objects with a string name");
      INFERLINE_RETURN_IF_ERROR(AppendProvider(raw, provider.As<Napi::Object>()));
    }
  }
  *out = std::move(session_options);
  return Status::Ok();
}

}  // namespace inferline
