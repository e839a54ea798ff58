// Where threads run: the CPU a thread is on, and moving a pool thread off the JS thread's CPU.
//
// Why: a lone caller's JS thread and the pool thread running its job end up on one CPU while
// another idles. Linux places a waking thread near its waker and counts a CPU that runs only
// SCHED_IDLE threads (ours) as idle: a pool thread woken by a submit lands on the JS thread's CPU
// (55% of runs with the JS thread pinned, test/session/co-location.test.ts), a JS thread woken by
// a completion lands on the pool thread's, and from then on every wake-up of the JS thread (its
// timers, the pre-wake) preempts the run, until the load balancer parts them. Traced on one
// PP-OCR cls caller: 4-11% of runs preempted, ~100 µs longer each, nearly all with both threads
// on one CPU; with the move below, 0.5-1%. Moving the pool thread off that CPU as a lone job
// starts parts them at once.
#pragma once

namespace inferline {

// The CPU the calling thread runs on; -1 where unknown.
int CurrentCpu();

// How many CPUs the calling thread may run on (its affinity mask); 0 where unknown.
int AllowedCpuCount();

// Moves the calling thread to another CPU of its affinity mask, then gives it back its whole
// mask (it stays where it landed until the scheduler moves it). Two syscalls and a migration:
// only for the rare start of a lone caller's job on its JS thread's CPU. Waits until the thread
// runs there, so after a move that took long (the other CPU is busy) the next calls refuse for a
// while. False when it skips the move, when there is no other CPU to go to, or when the system
// refuses.
bool MoveOffCpu(int cpu);

}  // namespace inferline
