// Per-JS-environment state (main thread and each worker thread that loads the addon).
//
// Owns the completion handle through which finished jobs come back to this environment's thread,
// and the JS factories registered by src/native.ts. Created at module init; destroyed at env
// teardown after every job this environment submitted has come back.
#pragma once

#include <napi.h>
#include <uv.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/job.h"
#include "runtime/prewake_timer.h"

namespace inferline {

class EnvState {
 public:
  static EnvState* Create(Napi::Env env);
  static EnvState* Get(Napi::Env env);

  // Main thread: counts the job as in flight (keeping the loop alive) and hands it to the pool.
  void Submit(std::unique_ptr<Job> job);
  // Any thread: queues a finished job for Complete on this environment's thread.
  void PushCompletion(std::unique_ptr<Job> job);
  // Pool thread: a job of this environment starts running on `cpu` (-1: unknown).
  void NoteJobStarted(int cpu) { job_cpu_.store(cpu, std::memory_order_relaxed); }

  Napi::FunctionReference make_error;    // (code, message, ortCode) => InferlineError
  Napi::FunctionReference make_tensor;   // (onnxType, data, dims) => Tensor
  Napi::FunctionReference session_ctor;  // the native session class

 private:
  explicit EnvState(Napi::Env env);
  ~EnvState();
  static void OnCompletions(uv_async_t* handle);
  static void OnIdlePoll(uv_idle_t* handle);
  static void OnPrewake(void* data);
  // Main thread: spins for the expected result (completion_spin.h) and acts on the outcome.
  void SpinForResult();
  static void OnHandleClosed(uv_handle_t* handle);
  static void OnPrewakeClosed(void* data);
  void HandleClosed();
  static void OnAsyncCleanup(napi_async_cleanup_hook_handle hook, void* data);
  static void OnFinalize(napi_env env, void* data, void* hint);
  void DrainCompletions(bool wait_for_lock);
  void WaitForOutstandingJobs();

  napi_env env_;
  uv_loop_t* loop_ = nullptr;
  uv_async_t* async_ = nullptr;                  // heap-allocated: freed by uv_close's callback
  // Polls for completions for a short while after each submit, so that the JS thread is still
  // awake when a short run finishes: waking a thread asleep in epoll costs ~15-20 µs on this
  // kind of VM, several times the inference of a small model. Heap-allocated like async_.
  uv_idle_t* idle_ = nullptr;
  uint64_t poll_until_ns_ = 0;                   // uv_hrtime() after which the idle poll stops
  const uint64_t poll_window_ns_;                // INFERLINE_SPIN_MICROS, in ns
  const size_t pool_size_;                       // threads in the shared pool
  uint64_t average_job_ns_ = 0;                  // main thread: moving average, submit to drain
  uint64_t average_run_ns_ = 0;                  // main thread: the same to executed, clipped
  // For runs too long to poll through (up to kPrewakeMaxJobNs) while a pool thread is free:
  // wakes the JS thread this long before the expected completion to spin for it (see
  // completion_spin.h), so that the wake-up overlaps the run instead of following it.
  // INFERLINE_PREWAKE_MICROS, in ns; 0: off.
  PrewakeTimer prewake_;
  const uint64_t prewake_lead_ns_;
  std::atomic<int> job_cpu_{-1};                 // CPU the latest job started on (pool threads write)
  bool resume_spin_ = false;                     // main thread: the idle poll resumes the pre-wake's spin
  int open_handles_ = 3;                         // async_, idle_ and prewake_ until all are closed
  napi_async_cleanup_hook_handle cleanup_hook_ = nullptr;
  napi_async_context async_context_ = nullptr;   // for the callback scope completions run in
  Napi::ObjectReference async_resource_;
  size_t in_flight_ = 0;                         // main thread only: submitted, not yet completed

  std::mutex completions_mutex_;                 // guards completions_ (and the cv's wait)
  std::condition_variable completions_cv_;       // teardown waits here for outstanding_ == 0
  std::vector<std::unique_ptr<Job>> completions_;
  std::atomic<bool> has_completions_{false};     // completions_ is non-empty; read without the lock
  std::atomic<size_t> outstanding_{0};           // submitted, not yet pushed back by the pool
  bool torn_down_ = false;                       // main thread only: cleanup hook ran
  bool finalized_ = false;                       // main thread only: instance data finalized
};

}  // namespace inferline
