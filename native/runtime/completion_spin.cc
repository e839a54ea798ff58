#include "runtime/completion_spin.h"

#ifdef __linux__
#include <poll.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "runtime/cpu_placement.h"

namespace inferline {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// True when the loop would not block in its next poll: an fd it watches is readable (the epoll
// fd itself reports that) or a timer is due by `now_ns`.
bool LoopHasWork(uv_loop_t* loop, uint64_t timer_due_ns, uint64_t now_ns) {
  if (now_ns >= timer_due_ns) return true;
#ifdef __linux__
  pollfd backend{uv_backend_fd(loop), POLLIN, 0};
  if (backend.fd >= 0 && poll(&backend, 1, 0) > 0) return true;
#else
  (void)loop;
#endif
  return false;
}

bool SharesThisCpu(const std::atomic<int>& job_cpu) {
  int cpu = job_cpu.load(std::memory_order_relaxed);
  return cpu >= 0 && cpu == CurrentCpu();
}

}  // namespace

SpinOutcome SpinForCompletion(const std::atomic<bool>& arrived, uv_loop_t* loop, uint64_t deadline_ns,
                              const std::atomic<int>& job_cpu) {
  int timeout_ms = uv_backend_timeout(loop);  // -1: no timer; 0: something is due already
  if (timeout_ms == 0) return SpinOutcome::kLoopBusy;
  // The next timer's due time, counted from now. libuv's clock (uv_now) is in whole ms, read at
  // the top of the loop turn (from the kernel's coarse clock where that one ticks every ms), so a
  // due time in its terms reads up to a ms or two early against uv_hrtime(), and a spin would
  // stop for a 1 ms interval timer long before it is due. Counted from now, it errs late
  // instead, by what this loop turn has taken so far, and the spin's own deadline bounds that.
  uint64_t timer_due_ns = timeout_ms < 0 ? UINT64_MAX : uv_hrtime() + static_cast<uint64_t>(timeout_ms) * 1000000;
  if (SharesThisCpu(job_cpu)) return SpinOutcome::kSharedCpu;
  for (unsigned i = 0;; ++i) {
    if (arrived.load(std::memory_order_acquire)) return SpinOutcome::kArrived;
    CpuRelax();
    // The checks below cost a syscall; every 64 pauses is every few µs.
    if ((i & 63) == 63) {
      uint64_t now = uv_hrtime();
      if (now >= deadline_ns) return SpinOutcome::kTimedOut;
      // The completion itself makes the epoll fd readable (its async handle): look once more.
      if (LoopHasWork(loop, timer_due_ns, now)) {
        return arrived.load(std::memory_order_acquire) ? SpinOutcome::kArrived : SpinOutcome::kLoopBusy;
      }
      if (SharesThisCpu(job_cpu)) return SpinOutcome::kSharedCpu;
    }
  }
}

}  // namespace inferline
