# Builds native/ into build/Release/inferline.node.
#   1. scripts/find-ort-headers.mjs prints the directory holding onnxruntime_c_api.h (fetching and
#      caching it under deps/ when needed); ONNX Runtime itself is not linked but dlopen'ed.
#   2. node-addon-api supplies napi.h; C++ exceptions stay enabled only for the standard library.
{
  "targets": [
    {
      "target_name": "inferline",
      "sources": [
        "native/addon.cc",
        "native/batch/batch_plan.cc",
        "native/cache/hash128.cc",
        "native/cache/hash128_bindings.cc",
        "native/errors.cc",
        "native/ort/ort_api.cc",
        "native/ort/cpu_memory_info.cc",
        "native/runtime/buffer_pool.cc",
        "native/runtime/completion_spin.cc",
        "native/runtime/cpu_placement.cc",
        "native/runtime/env_state.cc",
        "native/runtime/prewake_timer.cc",
        "native/runtime/runtime_bindings.cc",
        "native/runtime/thread_pool.cc",
        "native/session/create_session_job.cc",
        "native/session/output_selection.cc",
        "native/session/run_job.cc",
        "native/session/run_plan.cc",
        "native/session/session_core.cc",
        "native/session/session_options.cc",
        "native/session/session_wrap.cc",
        "native/session/staged_run_plan.cc",
        "native/session/sync_runner.cc",
        "native/tensor/element_type.cc",
        "native/tensor/js_to_ort.cc",
        "native/tensor/ort_to_js.cc"
      ],
      "include_dirs": [
        "native",
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node scripts/find-ort-headers.mjs)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl", "-lpthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
      }
    }
  ]
}
