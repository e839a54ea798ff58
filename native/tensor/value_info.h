// What a model declares about one of its inputs or outputs.
#pragma once

#include <onnxruntime_c_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace inferline {

struct ValueInfo {
  std::string name;
  bool is_tensor = true;                      // false for sequence/map/optional values
  ONNXTensorElementDataType element_type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  std::vector<int64_t> dims;                  // -1 where the dimension is not fixed
  std::vector<std::string> symbolic_dims;     // the dim_param name, "" where none
};

}  // namespace inferline
