#include "session/session_core.h"

namespace inferline {
namespace {

Status ReadValueInfo(OrtTypeInfo* raw_type_info, ValueInfo* info) {
  TypeInfoPtr type_info(raw_type_info);
  const OrtApi* api = Api();
  ONNXType onnx_type = ONNX_TYPE_UNKNOWN;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetOnnxTypeFromTypeInfo(type_info.get(), &onnx_type), "GetOnnxTypeFromTypeInfo");
  if (onnx_type != ONNX_TYPE_TENSOR && onnx_type != ONNX_TYPE_SPARSETENSOR) {
    info->is_tensor = false;
    return Status::Ok();
  }
  const OrtTensorTypeAndShapeInfo* tensor_info = nullptr;  // owned by type_info
  INFERLINE_RETURN_IF_ORT_ERROR(api->CastTypeInfoToTensorInfo(type_info.get(), &tensor_info), "CastTypeInfoToTensorInfo");
  if (tensor_info == nullptr) {
    info->is_tensor = false;
    return Status::Ok();
  }
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetTensorElementType(tensor_info, &info->element_type), "GetTensorElementType");
  size_t rank = 0;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetDimensionsCount(tensor_info, &rank), "GetDimensionsCount");
  info->dims.assign(rank, -1);
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetDimensions(tensor_info, info->dims.data(), rank), "GetDimensions");
  std::vector<const char*> symbolic(rank, nullptr);
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetSymbolicDimensions(tensor_info, symbolic.data(), rank), "GetSymbolicDimensions");
  info->symbolic_dims.clear();
  for (const char* name : symbolic) info->symbolic_dims.emplace_back(name != nullptr ? name : "");
  return Status::Ok();
}

}  // namespace

Status SessionCore::Create(const std::string& label, const std::string& path, const void* bytes, size_t byte_length,
                           const OrtSessionOptions* options, std::shared_ptr<SessionCore>* out) {
  std::shared_ptr<SessionCore> core(new SessionCore());
  core->label_ = label;
  OrtSession* session = nullptr;
  const std::string context = "Session \"" + label + "\" create";
  if (bytes != nullptr) {
    INFERLINE_RETURN_IF_ORT_ERROR(Api()->CreateSessionFromArray(ProcessEnv(), bytes, byte_length, options, &session),
                                  context);
  } else {
    INFERLINE_RETURN_IF_ORT_ERROR(Api()->CreateSession(ProcessEnv(), path.c_str(), options, &session), context);
  }
  core->session_.reset(session);
  INFERLINE_RETURN_IF_ERROR(core->ReadMetadata());
  *out = std::move(core);
  return Status::Ok();
}

Status SessionCore::ReadMetadata() {
  const OrtApi* api = Api();
  OrtAllocator* allocator = nullptr;
  INFERLINE_RETURN_IF_ORT_ERROR(api->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
  size_t input_count = 0;
  size_t output_count = 0;
  INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetInputCount(session_.get(), &input_count), "SessionGetInputCount");
  INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetOutputCount(session_.get(), &output_count), "SessionGetOutputCount");
  inputs_.resize(input_count);
  outputs_.resize(output_count);
  for (size_t i = 0; i < input_count; ++i) {
    char* name = nullptr;
    INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetInputName(session_.get(), i, allocator, &name), "SessionGetInputName");
    inputs_[i].name = name;
    INFERLINE_RETURN_IF_ORT_ERROR(api->AllocatorFree(allocator, name), "AllocatorFree");
    OrtTypeInfo* type_info = nullptr;
    INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetInputTypeInfo(session_.get(), i, &type_info), "SessionGetInputTypeInfo");
    INFERLINE_RETURN_IF_ERROR(ReadValueInfo(type_info, &inputs_[i]));
  }
  for (size_t i = 0; i < output_count; ++i) {
    char* name = nullptr;
    INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetOutputName(session_.get(), i, allocator, &name), "SessionGetOutputName");
    outputs_[i].name = name;
    INFERLINE_RETURN_IF_ORT_ERROR(api->AllocatorFree(allocator, name), "AllocatorFree");
    OrtTypeInfo* type_info = nullptr;
    INFERLINE_RETURN_IF_ORT_ERROR(api->SessionGetOutputTypeInfo(session_.get(), i, &type_info), "SessionGetOutputTypeInfo");
    INFERLINE_RETURN_IF_ERROR(ReadValueInfo(type_info, &outputs_[i]));
  }
  for (const ValueInfo& info : inputs_) input_names_.push_back(info.name.c_str());
  for (const ValueInfo& info : outputs_) output_names_.push_back(info.name.c_str());
  return Status::Ok();
}

}  // namespace inferline
