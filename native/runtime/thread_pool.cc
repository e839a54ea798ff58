#include "runtime/thread_pool.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "runtime/cpu_placement.h"
#include "runtime/env_state.h"

namespace inferline {
namespace {

size_t ThreadCountFromEnv() {
  const char* text = std::getenv("INFERLINE_THREADS");
  if (text != nullptr) {
    long parsed = std::strtol(text, nullptr, 10);
    if (parsed > 0 && parsed <= 256) return static_cast<size_t>(parsed);
  }
  unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 2 : hardware;
}

int SpinMicrosFromEnv() {
  const char* text = std::getenv("INFERLINE_SPIN_MICROS");
  if (text != nullptr) {
    long parsed = std::strtol(text, nullptr, 10);
    if (parsed >= 0 && parsed <= 100000) return static_cast<int>(parsed);
  }
  return 50;
}

// Pool threads yield the CPU to the JS thread: when inference saturates the cores, the event
// loop must still get a core the moment it wakes. INFERLINE_THREAD_PRIORITY chooses how:
//   idle (default): SCHED_IDLE, which any ordinary thread preempts at once (measured: loop
//                   delay p50 4 ms -> 1 ms with 16 callers on 2 cores);
//   low:            nice 10, a softer preference (it did not move the loop delay here);
//   normal:         the process's own priority, for machines where other CPU-bound processes
//                   would otherwise starve inference.
enum class ThreadPriority { kIdle, kLow, kNormal };

ThreadPriority ThreadPriorityFromEnv() {
  const char* text = std::getenv("INFERLINE_THREAD_PRIORITY");
  if (text == nullptr) return ThreadPriority::kIdle;
  std::string value(text);
  if (value == "normal") return ThreadPriority::kNormal;
  if (value == "low") return ThreadPriority::kLow;
  return ThreadPriority::kIdle;
}

// Applies to the calling thread (Linux schedules threads by tid). Lowering one's own priority
// needs no privilege; if it fails anyway the thread keeps the default priority.
void LowerCurrentThreadPriority(ThreadPriority priority) {
  pid_t tid = static_cast<pid_t>(syscall(SYS_gettid));
  if (priority == ThreadPriority::kIdle) {
    sched_param param{};
    param.sched_priority = 0;
    sched_setscheduler(tid, SCHED_IDLE, &param);
  } else if (priority == ThreadPriority::kLow) {
    setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10);
  }
}

// No more workers than the CPUs this process may use (unknown: false).
bool EachWorkerHasACpu(size_t thread_count) {
  int cpus = AllowedCpuCount();
  return cpus > 0 && thread_count <= static_cast<size_t>(cpus);
}

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

ThreadPool& ThreadPool::Shared() {
  // Leaked on purpose: joining at exit would wait for ORT runs in flight, and destroying a
  // condition variable that detached threads still use is undefined.
  static ThreadPool* pool = new ThreadPool(ThreadCountFromEnv(), SpinMicrosFromEnv());
  return *pool;
}

ThreadPool::ThreadPool(size_t thread_count, int spin_micros)
    : spin_micros_(spin_micros), spin_while_busy_(EachWorkerHasACpu(thread_count)) {
  workers_.reserve(thread_count);
  for (size_t i = 0; i < thread_count; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
    workers_.back().detach();
  }
}

void ThreadPool::Submit(std::unique_ptr<Job> job) {
  // Learns how soon work follows the pool going idle. Submits may race (one per JS environment);
  // an update lost now and then only makes the average a little staler.
  if (running_.load(std::memory_order_acquire) == 0) {
    int64_t idle_since = idle_since_ns_.exchange(0, std::memory_order_acq_rel);
    if (idle_since != 0) {
      // Clamped: one long pause of the caller must not switch the spin off for the next dozen
      // calls while the average comes back down.
      int64_t gap = std::min(SteadyNanos() - idle_since, int64_t{2} * kMaxAdaptiveSpinMicros * 1000);
      int64_t average = idle_gap_ns_.load(std::memory_order_relaxed);
      idle_gap_ns_.store(average == INT64_MAX ? gap : average + (gap - average) / 4, std::memory_order_relaxed);
    }
  }
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    queue_.push_back(std::move(job));
    queued_.fetch_add(1, std::memory_order_release);
    // A spinning worker will see queued_ change; only wake a sleeper when nobody spins.
    wake = sleeping_ > 0 && spinning_.load(std::memory_order_acquire) == 0;
  }
  if (wake) queue_cv_.notify_one();
}

// Spins up to spin_micros_, or twice the recent idle gap if that is longer and short enough to be
// a caller awaiting each result; returns true if work appeared.
bool ThreadPool::WaitBriefly() {
  if (spin_micros_ == 0) return false;
  int64_t spin_ns = int64_t{spin_micros_} * 1000;
  int64_t gap = idle_gap_ns_.load(std::memory_order_relaxed);
  if (gap <= kMaxAdaptiveSpinMicros * 1000) spin_ns = std::max(spin_ns, std::min(2 * gap, kMaxAdaptiveSpinMicros * 1000));
  int running_at_start = running_.load(std::memory_order_acquire);
  spinning_.fetch_add(1, std::memory_order_acq_rel);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(spin_ns);
  bool found = false;
  for (int i = 0;; ++i) {
    if (queued_.load(std::memory_order_acquire) != 0) {
      found = true;
      break;
    }
    // Another worker took the job this spin was waiting for: a spare spinner would only take
    // CPU from it.
    if (running_.load(std::memory_order_acquire) > running_at_start) break;
    CpuRelax();
    // Checking the clock every iteration would dominate the loop; every 64 pauses is ~2-5 µs.
    // Yielding there too lets a thread that shares this core (the JS thread, on a busy machine)
    // run instead of waiting out our spin.
    if ((i & 63) == 63) {
      if (std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::yield();
    }
  }
  spinning_.fetch_sub(1, std::memory_order_acq_rel);
  return found;
}

void ThreadPool::WorkerLoop() {
  // Named so that top -H, perf and /proc tell inference threads from Node's own.
  pthread_setname_np(pthread_self(), "inferline-pool");
  LowerCurrentThreadPriority(ThreadPriorityFromEnv());
  for (;;) {
    std::unique_ptr<Job> job;
    // Spin when no other job is running: that is the lone caller waiting on each result, whose
    // next job comes within microseconds. While others run, spin only if every worker has a CPU
    // of its own (see thread_pool.h); with more workers than CPUs a spin would take CPU from the
    // workers running jobs.
    if (spin_while_busy_ || running_.load(std::memory_order_acquire) == 0) WaitBriefly();
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      // Checked under the lock, so a Submit that saw us spinning cannot be missed.
      while (queue_.empty()) {
        ++sleeping_;
        queue_cv_.wait(lock);
        --sleeping_;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
      queued_.fetch_sub(1, std::memory_order_release);
    }
    bool alone = running_.fetch_add(1, std::memory_order_acq_rel) == 0 &&
                 queued_.load(std::memory_order_acquire) == 0;
    int cpu = CurrentCpu();
    // A lone caller's job about to start on its JS thread's CPU: the two would share it while
    // another CPU idles (see cpu_placement.h). Under load every CPU is busy anyway, and no thread
    // moves.
    if (alone && cpu == job->lone_submit_cpu && MoveOffCpu(cpu)) cpu = CurrentCpu();
    // For EnvState's completion spin, which must not spin on the CPU the job runs on.
    job->env_state()->NoteJobStarted(cpu);
    job->Execute();
    job->executed_ns = uv_hrtime();
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1 && queued_.load(std::memory_order_acquire) == 0) {
      idle_since_ns_.store(SteadyNanos(), std::memory_order_release);
    }
    EnvState* env_state = job->env_state();
    env_state->PushCompletion(std::move(job));
  }
}

}  // namespace inferline
