#include "cache/hash128_bindings.h"

#include <cstring>
#include <string>

#include "cache/hash128.h"
#include "errors.h"

namespace inferline {
namespace {

// Seeds are JS numbers: integers up to 2^53 - 1 are exact as doubles.
constexpr double kMaxSeed = 9007199254740991.0;

// A short description of a JS value for messages ("a string", "null", "an array").
std::string Describe(napi_env env, napi_value value) {
  napi_valuetype type = napi_undefined;
  if (value == nullptr) return "nothing";
  if (napi_typeof(env, value, &type) != napi_ok) return "an unreadable value";
  switch (type) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "a number";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_bigint: return "a bigint";
    case napi_object: break;
  }
  bool is_array = false;
  napi_is_array(env, value, &is_array);
  return is_array ? "an array" : "an object";
}

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array: return 8;
  }
  return 0;  // a kind this Node-API version does not name: refused by the caller
}

// How messages name an argument: "hash128: data", or "hash128List: list[3]" for item 3 (index >= 0).
// Built only when a message needs it: the list path must not allocate per item.
struct ArgName {
  const char* prefix;
  int64_t index;
  std::string Text() const { return index < 0 ? std::string(prefix) : std::string(prefix) + "[" + std::to_string(index) + "]"; }
};

// The bytes a TypedArray, DataView or ArrayBuffer covers, in place (null `value`: the argument
// was not passed). On success *data may be null only when *length is 0.
Status ReadBytes(napi_env env, napi_value value, const ArgName& arg, const uint8_t** data, size_t* length) {
  void* pointer = nullptr;
  size_t byte_length = 0;
  napi_value buffer = nullptr;  // set only for an empty range, which may be a detached buffer
  napi_typedarray_type type = napi_uint8_array;
  size_t element_length = 0;
  bool is_data_view = false;
  bool is_array_buffer = false;
  // Typed arrays first, without asking what the value is: napi_get_typedarray_info fails
  // cleanly (no JS exception) for anything else, and this is the path every cache lookup takes.
  if (value != nullptr && napi_get_typedarray_info(env, value, &type, &element_length, &pointer, nullptr, nullptr) == napi_ok) {
    size_t element_size = ElementSize(type);
    if (element_size == 0) {
      return Status(ErrorCode::kInvalidArg, arg.Text() + ": unsupported kind of typed array; pass a Uint8Array view of its bytes");
    }
    byte_length = element_length * element_size;
    if (byte_length == 0) napi_get_typedarray_info(env, value, nullptr, nullptr, nullptr, &buffer, nullptr);
  } else if (value != nullptr && napi_is_dataview(env, value, &is_data_view) == napi_ok && is_data_view) {
    if (napi_get_dataview_info(env, value, &byte_length, &pointer, nullptr, nullptr) != napi_ok) {
      return Status(ErrorCode::kInvalidArg, arg.Text() + ": could not read the DataView");
    }
    if (byte_length == 0) napi_get_dataview_info(env, value, nullptr, nullptr, &buffer, nullptr);
  } else if (value != nullptr && napi_is_arraybuffer(env, value, &is_array_buffer) == napi_ok && is_array_buffer) {
    if (napi_get_arraybuffer_info(env, value, &pointer, &byte_length) != napi_ok) {
      return Status(ErrorCode::kInvalidArg, arg.Text() + ": could not read the ArrayBuffer");
    }
    if (byte_length == 0) buffer = value;
  } else {
    return Status(ErrorCode::kInvalidArg, arg.Text() + " must be a TypedArray, DataView, ArrayBuffer or Buffer, received " +
                                              Describe(env, value));
  }
  if (buffer != nullptr) {
    bool detached = false;
    if (napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached) {
      return Status(ErrorCode::kInvalidArg, arg.Text() + ": its ArrayBuffer is detached (transferred to another thread?)");
    }
  }
  if (pointer == nullptr && byte_length != 0) {
    return Status(ErrorCode::kInvalidArg, arg.Text() + ": its memory could not be read");
  }
  *data = static_cast<const uint8_t*>(pointer);
  *length = byte_length;
  return Status::Ok();
}

// Checks `out` and `seed` (null when not passed); on success *target is 16 writable bytes.
Status ReadOutAndSeed(napi_env env, const char* name, napi_value out, napi_value seed_value, uint8_t** target,
                      uint64_t* seed) {
  napi_typedarray_type type = napi_uint8_array;
  size_t length = 0;
  void* pointer = nullptr;
  if (out == nullptr || napi_get_typedarray_info(env, out, &type, &length, &pointer, nullptr, nullptr) != napi_ok ||
      !((type == napi_uint32_array && length >= 4) || (type == napi_biguint64_array && length >= 2)) ||
      pointer == nullptr) {
    return Status(ErrorCode::kInvalidArg, std::string(name) +
                                              ": out must be a Uint32Array of 4 or more elements or a BigUint64Array of 2 or more, received " +
                                              Describe(env, out));
  }
  *target = static_cast<uint8_t*>(pointer);
  *seed = 0;
  if (seed_value == nullptr) return Status::Ok();
  double value = -1;
  if (napi_get_value_double(env, seed_value, &value) != napi_ok) {
    napi_valuetype type_of_seed = napi_undefined;
    if (napi_typeof(env, seed_value, &type_of_seed) == napi_ok && type_of_seed == napi_undefined) return Status::Ok();
  } else if (value >= 0 && value <= kMaxSeed && value == static_cast<double>(static_cast<uint64_t>(value))) {
    *seed = static_cast<uint64_t>(value);
    return Status::Ok();
  }
  return Status(ErrorCode::kInvalidArg, std::string(name) + ": seed must be an integer from 0 to 2^53 - 1, received " +
                                            (value == -1 ? Describe(env, seed_value) : "the number " + std::to_string(value)));
}

void WriteDigest(const Hash128Digest& digest, uint8_t* target) {
  std::memcpy(target, &digest.lo, sizeof(digest.lo));
  std::memcpy(target + sizeof(digest.lo), &digest.hi, sizeof(digest.hi));
}

// The call's first three arguments; those not passed are null.
struct Args {
  napi_value values[3] = {nullptr, nullptr, nullptr};
};

bool ReadArgs(napi_env env, napi_callback_info info, Args* args) {
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, args->values, nullptr, nullptr) != napi_ok) return false;
  for (size_t i = argc; i < 3; ++i) args->values[i] = nullptr;  // Node-API fills missing ones with undefined
  return true;
}

napi_value Fail(napi_env env, const Status& status) {
  ThrowAsJs(Napi::Env(env), status);
  return nullptr;
}

napi_value Hash128Callback(napi_env env, napi_callback_info info) {
  Args args;
  if (!ReadArgs(env, info, &args)) return Fail(env, Status(ErrorCode::kInternal, "hash128: could not read the arguments"));
  const uint8_t* data = nullptr;
  size_t length = 0;
  Status status = ReadBytes(env, args.values[0], ArgName{"hash128: data", -1}, &data, &length);
  if (!status.ok()) return Fail(env, status);
  uint8_t* target = nullptr;
  uint64_t seed = 0;
  status = ReadOutAndSeed(env, "hash128", args.values[1], args.values[2], &target, &seed);
  if (!status.ok()) return Fail(env, status);
  WriteDigest(Hash128(data, length, seed), target);
  return nullptr;  // undefined
}

napi_value Hash128ListCallback(napi_env env, napi_callback_info info) {
  Args args;
  if (!ReadArgs(env, info, &args)) return Fail(env, Status(ErrorCode::kInternal, "hash128List: could not read the arguments"));
  napi_value list = args.values[0];
  bool is_array = false;
  if (list == nullptr || napi_is_array(env, list, &is_array) != napi_ok || !is_array) {
    return Fail(env, Status(ErrorCode::kInvalidArg, "hash128List: list must be an array of TypedArray, DataView, ArrayBuffer or Buffer, received " +
                                                        Describe(env, list)));
  }
  uint8_t* target = nullptr;
  uint64_t seed = 0;
  Status status = ReadOutAndSeed(env, "hash128List", args.values[1], args.values[2], &target, &seed);
  if (!status.ok()) return Fail(env, status);
  uint32_t count = 0;
  if (napi_get_array_length(env, list, &count) != napi_ok) {
    return Fail(env, Status(ErrorCode::kInvalidArg, "hash128List: could not read the list's length"));
  }
  Hash128State state(seed);
  for (uint32_t i = 0; i < count; ++i) {
    napi_value item = nullptr;
    // An accessor on the array can run JS that throws: ThrowAsJs lets that exception propagate.
    if (napi_get_element(env, list, i, &item) != napi_ok) {
      return Fail(env, Status(ErrorCode::kInvalidArg, ArgName{"hash128List: list", i}.Text() + " could not be read"));
    }
    const uint8_t* data = nullptr;
    size_t length = 0;
    status = ReadBytes(env, item, ArgName{"hash128List: list", i}, &data, &length);
    if (!status.ok()) return Fail(env, status);
    Hash128Digest digest = Hash128(data, length, seed);
    const uint64_t stripe[4] = {static_cast<uint64_t>(length), digest.lo, digest.hi, i};
    state.Stripe(stripe);
  }
  WriteDigest(state.Finish(count), target);
  return nullptr;
}

Napi::Function MakeFunction(Napi::Env env, const char* name, napi_callback callback) {
  napi_value function = nullptr;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &function) != napi_ok) return Napi::Function();
  return Napi::Function(env, function);
}

}  // namespace

Napi::Function Hash128Function(Napi::Env env) { return MakeFunction(env, "hash128", Hash128Callback); }

Napi::Function Hash128ListFunction(Napi::Env env) { return MakeFunction(env, "hash128List", Hash128ListCallback); }

}  // namespace inferline
