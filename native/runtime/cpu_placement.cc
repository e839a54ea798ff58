#include "runtime/cpu_placement.h"

#ifdef __linux__
#include <sched.h>
#endif

#include <algorithm>
#include <chrono>

namespace inferline {

#ifdef __linux__

namespace {

// A move returns once the thread runs on another CPU: within microseconds on an idle CPU, up to a
// few hundred when a halted vCPU must be woken first (measured here: 330-460 µs on average over
// a lone cls caller's moves). Far longer means a thread of normal priority holds the other CPU,
// where a SCHED_IDLE pool thread barely gets a turn: further moves would only stall jobs there
// (measured: 2.6 ms each under a batching load before moves were kept to lone callers; a cls
// caller's runs 5x slower with a busy process on the other CPU), so after two slow moves in a
// row skip the next ones, twice as many after each further slow move. One slow move alone is
// not enough: a halted vCPU on a busy host, or a short-lived process, makes one now and then,
// and skipping 64 moves for it left a lone caller's threads sharing a CPU for a whole test run.
constexpr auto kSlowMove = std::chrono::milliseconds(1);
constexpr int kMinMovesSkipped = 64;
constexpr int kMaxMovesSkipped = 1024;

}  // namespace

int CurrentCpu() { return sched_getcpu(); }

int AllowedCpuCount() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return 0;
  return CPU_COUNT(&allowed);
}

bool MoveOffCpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  // With one CPU to run on, every lone job starts on the JS thread's: look again only now and
  // then (the mask can widen) rather than paying a syscall per job. Also set after a slow move.
  thread_local int checks_to_skip = 0;
  thread_local int skips_after_slow_move = kMinMovesSkipped;
  thread_local int slow_moves_in_a_row = 0;
  if (checks_to_skip > 0) {
    --checks_to_skip;
    return false;
  }
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return false;
  if (CPU_COUNT(&allowed) < 2) checks_to_skip = kMaxMovesSkipped;
  if (!CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2) return false;
  cpu_set_t others = allowed;
  CPU_CLR(cpu, &others);
  auto started = std::chrono::steady_clock::now();
  // Returns once the thread runs on one of `others`.
  if (sched_setaffinity(0, sizeof(others), &others) != 0) return false;
  if (std::chrono::steady_clock::now() - started <= kSlowMove) {
    slow_moves_in_a_row = 0;
    skips_after_slow_move = kMinMovesSkipped;
  } else if (++slow_moves_in_a_row >= 2) {
    checks_to_skip = skips_after_slow_move;
    skips_after_slow_move = std::min(2 * skips_after_slow_move, kMaxMovesSkipped);
  }
  if (sched_setaffinity(0, sizeof(allowed), &allowed) != 0) {
    // The mask changed meanwhile (a cpuset update): every CPU, which the kernel narrows to what
    // is allowed, rather than keeping this thread off a CPU for good.
    cpu_set_t every;
    CPU_ZERO(&every);
    for (int i = 0; i < CPU_SETSIZE; ++i) CPU_SET(i, &every);
    sched_setaffinity(0, sizeof(every), &every);
  }
  return true;
}

#else

int CurrentCpu() { return -1; }
int AllowedCpuCount() { return 0; }
bool MoveOffCpu(int) { return false; }

#endif

}  // namespace inferline
