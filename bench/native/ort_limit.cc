// ort_limit: what ONNX Runtime itself costs per Run, with no JavaScript in the way. The "C++ limit"
// that bench/*.mjs compare inferline and onnxruntime-node against.
//
// It does what a careful native caller does: dlopen the same libonnxruntime the Node packages load,
// use only the C API (OrtGetApiBase()->GetApi(ORT_API_VERSION)), create one session with one
// intra-op thread by default, wrap each caller thread's preallocated float32 input in an OrtValue
// once, and on every Run let ONNX Runtime allocate the outputs, then release them.
//
// Modes (both print one JSON object on stdout, with cpu_us_per_call: the process's user + system
// CPU over the measured calls, all threads, divided by the calls):
//   latency     each of --threads callers makes --warmup untimed calls, then --calls timed calls;
//               prints per-call p50/p99/mean/max in µs over all callers.
//   throughput  each caller runs closed-loop for --seconds after the warm-up; prints items/s, where
//               items = calls × the first dim of --shape (the batch size).
//
// Usage: ort_limit --model m.onnx --shape 1,16 [--mode latency|throughput] [--threads 1]
//                  [--seconds 2] [--calls 20000] [--warmup 2000] [--intra 1] [--lib path]
// The library is --lib, else $ORT_LIB_PATH. Exit code 2 for bad arguments, 1 for ORT failures.
#include <dlfcn.h>
#include <sys/resource.h>

#include <onnxruntime_c_api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

const OrtApi* g_api = nullptr;

struct Args {
  std::string lib;
  std::string model;
  std::vector<int64_t> shape;
  std::string mode = "latency";
  int threads = 1;         // caller threads, each with its own input
  double seconds = 2.0;    // throughput mode: measured duration
  long calls = 20000;      // latency mode: timed calls per caller
  long warmup = 2000;      // untimed calls per caller before measuring
  int intra = 1;           // ORT intra-op threads
};

[[noreturn]] void Fail(int code, const std::string& message) {
  std::fprintf(stderr, "ort_limit: %s\n", message.c_str());
  std::exit(code);
}

// Benchmark program: any ORT failure ends it, with ORT's message.
void Check(OrtStatus* status, const char* what) {
  if (status == nullptr) return;
  std::string message = std::string(what) + ": " + g_api->GetErrorMessage(status);
  g_api->ReleaseStatus(status);
  Fail(1, message);
}

std::vector<int64_t> ParseShape(const std::string& text) {
  std::vector<int64_t> dims;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    long long value = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || value <= 0) Fail(2, "--shape must be positive integers joined by commas, got \"" + text + "\"");
    dims.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return dims;
}

Args ParseArgs(int argc, char** argv) {
  Args args;
  if (const char* env = std::getenv("ORT_LIB_PATH")) args.lib = env;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) Fail(2, "flag " + flag + " needs a value");
    std::string value = argv[++i];
    if (flag == "--lib") args.lib = value;
    else if (flag == "--model") args.model = value;
    else if (flag == "--shape") args.shape = ParseShape(value);
    else if (flag == "--mode") args.mode = value;
    else if (flag == "--threads") args.threads = std::atoi(value.c_str());
    else if (flag == "--seconds") args.seconds = std::atof(value.c_str());
    else if (flag == "--calls") args.calls = std::atol(value.c_str());
    else if (flag == "--warmup") args.warmup = std::atol(value.c_str());
    else if (flag == "--intra") args.intra = std::atoi(value.c_str());
    else Fail(2, "unknown flag " + flag);
  }
  if (args.lib.empty()) Fail(2, "no library: pass --lib or set ORT_LIB_PATH");
  if (args.model.empty()) Fail(2, "--model is required");
  if (args.shape.empty()) Fail(2, "--shape is required, e.g. 1,16");
  if (args.mode != "latency" && args.mode != "throughput") Fail(2, "--mode must be latency or throughput");
  if (args.threads < 1 || args.calls < 1 || args.warmup < 0 || args.seconds <= 0 || args.intra < 0) {
    Fail(2, "--threads and --calls must be >= 1, --warmup and --intra >= 0, --seconds > 0");
  }
  return args;
}

// Names the session's inputs and outputs; the strings are copied so ORT's can be freed at once.
std::vector<std::string> Names(OrtSession* session, OrtAllocator* allocator, bool inputs) {
  size_t count = 0;
  Check(inputs ? g_api->SessionGetInputCount(session, &count) : g_api->SessionGetOutputCount(session, &count), "count");
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    char* name = nullptr;
    Check(inputs ? g_api->SessionGetInputName(session, i, allocator, &name)
                 : g_api->SessionGetOutputName(session, i, allocator, &name),
          "name");
    names.emplace_back(name);
    Check(g_api->AllocatorFree(allocator, name), "AllocatorFree");
  }
  return names;
}

struct Shared {
  const Args* args;
  OrtSession* session;
  OrtMemoryInfo* memory_info;
  const char* input_name;
  std::vector<const char*> output_names;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
};

struct CallerResult {
  std::vector<double> latencies_us;  // latency mode only
  long calls = 0;                    // timed calls made
};

void Caller(Shared* shared, int index, CallerResult* result) {
  const Args& args = *shared->args;
  size_t elements = 1;
  for (int64_t d : args.shape) elements *= static_cast<size_t>(d);
  std::vector<float> data(elements);
  std::mt19937 rng(1234 + index);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& x : data) x = uniform(rng);

  // The input wraps our buffer (no copy) and lives for the whole run, as in a real caller.
  OrtValue* input = nullptr;
  Check(g_api->CreateTensorWithDataAsOrtValue(shared->memory_info, data.data(), elements * sizeof(float),
                                              args.shape.data(), args.shape.size(),
                                              ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &input),
        "CreateTensorWithDataAsOrtValue");
  std::vector<OrtValue*> outputs(shared->output_names.size(), nullptr);
  auto run_once = [&] {
    std::fill(outputs.begin(), outputs.end(), nullptr);
    Check(g_api->Run(shared->session, nullptr, &shared->input_name, &input, 1, shared->output_names.data(),
                     outputs.size(), outputs.data()),
          "Run");
    for (OrtValue* value : outputs) g_api->ReleaseValue(value);
  };

  for (long i = 0; i < args.warmup; ++i) run_once();
  shared->ready.fetch_add(1);
  while (!shared->go.load(std::memory_order_acquire)) std::this_thread::yield();

  if (args.mode == "latency") {
    result->latencies_us.reserve(static_cast<size_t>(args.calls));
    for (long i = 0; i < args.calls; ++i) {
      Clock::time_point start = Clock::now();
      run_once();
      result->latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    result->calls = args.calls;
  } else {
    long calls = 0;
    while (!shared->stop.load(std::memory_order_relaxed)) {
      run_once();
      ++calls;
    }
    result->calls = calls;
  }
  g_api->ReleaseValue(input);
}

// User + system CPU of the whole process (all threads), in µs.
double ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);

  void* library = dlopen(args.lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) Fail(1, "dlopen " + args.lib + ": " + dlerror());
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(dlsym(library, "OrtGetApiBase"));
  if (get_api_base == nullptr) Fail(1, args.lib + " has no OrtGetApiBase");
  const OrtApiBase* base = get_api_base();
  g_api = base->GetApi(ORT_API_VERSION);
  if (g_api == nullptr) {
    Fail(1, std::string("ONNX Runtime ") + base->GetVersionString() + " lacks C API version " + std::to_string(ORT_API_VERSION));
  }

  OrtEnv* env = nullptr;
  Check(g_api->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "ort_limit", &env), "CreateEnv");
  OrtSessionOptions* options = nullptr;
  Check(g_api->CreateSessionOptions(&options), "CreateSessionOptions");
  Check(g_api->SetIntraOpNumThreads(options, args.intra), "SetIntraOpNumThreads");
  Check(g_api->SetSessionGraphOptimizationLevel(options, ORT_ENABLE_ALL), "SetSessionGraphOptimizationLevel");
  OrtSession* session = nullptr;
  Check(g_api->CreateSession(env, args.model.c_str(), options, &session), "CreateSession");

  OrtAllocator* allocator = nullptr;
  Check(g_api->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
  std::vector<std::string> input_names = Names(session, allocator, true);
  std::vector<std::string> output_names = Names(session, allocator, false);
  if (input_names.size() != 1) Fail(2, "the model must have exactly one input, it has " + std::to_string(input_names.size()));

  Shared shared;
  shared.args = &args;
  shared.session = session;
  Check(g_api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &shared.memory_info), "CreateCpuMemoryInfo");
  shared.input_name = input_names[0].c_str();
  for (const std::string& name : output_names) shared.output_names.push_back(name.c_str());

  std::vector<CallerResult> results(static_cast<size_t>(args.threads));
  std::vector<std::thread> threads;
  for (int i = 0; i < args.threads; ++i) threads.emplace_back(Caller, &shared, i, &results[static_cast<size_t>(i)]);
  while (shared.ready.load() < args.threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  double cpu_start_us = ProcessCpuMicros();
  Clock::time_point start = Clock::now();
  shared.go.store(true, std::memory_order_release);
  if (args.mode == "throughput") {
    std::this_thread::sleep_for(std::chrono::duration<double>(args.seconds));
    shared.stop.store(true);
  }
  for (std::thread& t : threads) t.join();
  double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu_us = ProcessCpuMicros() - cpu_start_us;

  long calls = 0;
  std::vector<double> all;
  for (const CallerResult& r : results) {
    calls += r.calls;
    all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
  }
  double items = static_cast<double>(calls) * static_cast<double>(args.shape[0]);
  std::printf("{\"mode\":\"%s\",\"ort_version\":\"%s\",\"threads\":%d,\"intra\":%d,\"batch\":%lld,\"calls\":%ld,"
              "\"seconds\":%.3f,\"items_per_s\":%.1f,\"cpu_us_per_call\":%.2f",
              args.mode.c_str(), base->GetVersionString(), args.threads, args.intra,
              static_cast<long long>(args.shape[0]), calls, elapsed_s, items / elapsed_s,
              calls > 0 ? cpu_us / static_cast<double>(calls) : 0.0);
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    double sum = 0;
    for (double v : all) sum += v;
    std::printf(",\"p50_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f,\"max_us\":%.2f", Percentile(all, 0.5),
                Percentile(all, 0.99), sum / static_cast<double>(all.size()), all.back());
  }
  std::printf("}\n");

  g_api->ReleaseMemoryInfo(shared.memory_info);
  g_api->ReleaseSession(session);
  g_api->ReleaseSessionOptions(options);
  g_api->ReleaseEnv(env);
  return 0;
}
