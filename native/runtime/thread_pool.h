// The addon's own inference threads: ORT runs here, never on the JS thread nor on libuv's four
// shared threads (which fs, dns and crypto need).
//
// One pool per process, shared by every JS environment. Its threads run below the JS thread's
// priority (INFERLINE_THREAD_PRIORITY, see thread_pool.cc). A worker that finishes a job spins
// briefly before sleeping: waking a sleeping thread costs ~15 µs here, more than a small model's
// whole inference (FACTS.md), while a spinning worker picks the next job up in well under 1 µs.
//
// How long it spins adapts to the caller: when the pool goes idle and the next job comes soon
// after (a caller awaiting each result, then sending the next), workers spin for about twice that
// gap, up to kMaxAdaptiveSpinMicros. Measured on PP-OCR cls with one such caller: the gap is
// 50–100 µs (the JS thread's own wake-up), so a 50 µs spin always just missed the next job, and the
// job then ran ~10% slower on a CPU that had gone idle than on one still spinning.
//
// Workers also spin while others run, when each has a CPU of its own (no more workers than the
// CPUs the process may use): a worker that sleeps between jobs is woken by the next submit onto a
// CPU Linux picks then, and Linux counts a CPU that runs only SCHED_IDLE threads as idle, so it
// often lands on the CPU of a worker still running, and the two share it until the load balancer
// parts them. Measured with two callers of PP-OCR cls at batch 8 (both workers busy): 274-421
// CPU migrations in 3 s, 32-55 with the spin, and 3.6-6.6% more items/s over three alternating
// pairs (the MLP batched for 64 callers: +2.5%; more callers than workers keep the queue full,
// and there the spin rarely happens).
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/job.h"

namespace inferline {

class ThreadPool {
 public:
  // Sized on first use: INFERLINE_THREADS if set, else the number of hardware threads.
  static ThreadPool& Shared();

  // Takes ownership of `job`; Execute runs on a pool thread, then the job is handed to its
  // environment's completion queue.
  void Submit(std::unique_ptr<Job> job);

  size_t size() const { return workers_.size(); }
  // Jobs executing right now, in every environment (a snapshot).
  int running() const { return running_.load(std::memory_order_acquire); }

  // Upper bound of the adaptive spin: longer gaps are not a caller waiting on its result.
  static constexpr int64_t kMaxAdaptiveSpinMicros = 400;

 private:
  ThreadPool(size_t thread_count, int spin_micros);
  void WorkerLoop();
  bool WaitBriefly();

  std::mutex queue_mutex_;                 // guards queue_ and sleeping_
  std::condition_variable queue_cv_;       // signalled when a job arrives and someone sleeps
  std::deque<std::unique_ptr<Job>> queue_;
  int sleeping_ = 0;                       // workers blocked on queue_cv_
  std::atomic<size_t> queued_{0};          // queue_.size(), readable without the lock
  std::atomic<int> spinning_{0};           // workers spinning; they need no notify
  std::atomic<int> running_{0};            // workers inside Job::Execute
  const int spin_micros_;                  // how long an idle worker spins at least (0: never)
  const bool spin_while_busy_;             // spin also while others run (a CPU per worker)
  // When the pool last went idle (steady clock, ns; 0: never), and the moving average of the
  // time from then to the next submit.
  std::atomic<int64_t> idle_since_ns_{0};
  std::atomic<int64_t> idle_gap_ns_{INT64_MAX};
  std::vector<std::thread> workers_;       // detached at exit: the pool is never destroyed
};

}  // namespace inferline
