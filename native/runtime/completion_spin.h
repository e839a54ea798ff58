// Busy-waits on the JS thread for a result that is about to arrive, without holding the event
// loop back.
//
// Why: on a VM that halts idle vCPUs (this machine kind: guest halt polling is off), a JS thread
// asleep in epoll takes ~30 µs to wake when a run completes, and a lone caller awaiting each
// result pays that on every call (measured on PP-OCR cls: 30-40 µs of a ~880 µs call). Woken by
// the pre-wake timer shortly before the expected completion, the thread spins here instead, and
// takes the result within a microsecond or two.
//
// The spin gives way at once to anything else: it stops when the loop has an event ready (its
// epoll fd is readable), when a timer falls due, and when the job it waits for runs on this very
// CPU (spinning would only keep it off the core it needs).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>

namespace inferline {

enum class SpinOutcome {
  kArrived,   // `arrived` became true
  kTimedOut,  // `deadline_ns` (uv_hrtime()'s clock) passed first
  kLoopBusy,  // the loop has an event ready or a timer due
  kSharedCpu,  // the job runs on this CPU
};

// Main thread. `job_cpu` is the CPU the awaited job started on (-1: unknown).
SpinOutcome SpinForCompletion(const std::atomic<bool>& arrived, uv_loop_t* loop, uint64_t deadline_ns,
                              const std::atomic<int>& job_cpu);

}  // namespace inferline
