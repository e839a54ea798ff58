#include "runtime/cpu_placement.h"

#ifdef __linux__
#include <sched.h>
#endif

namespace inferline {

#ifdef __linux__

int CurrentCpu() { return sched_getcpu(); }

bool MoveOffCpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  // With one CPU to run on, every lone job starts on the JS thread's: look again only now and
  // then (the mask can widen) rather than paying a syscall per job.
  thread_local int checks_to_skip = 0;
  if (checks_to_skip > 0) {
    --checks_to_skip;
    return false;
  }
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return false;
  if (CPU_COUNT(&allowed) < 2) checks_to_skip = 1024;
  if (!CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2) return false;
  cpu_set_t others = allowed;
  CPU_CLR(cpu, &others);
  // Returns once the thread runs on one of `others`.
  if (sched_setaffinity(0, sizeof(others), &others) != 0) return false;
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
bool MoveOffCpu(int) { return false; }

#endif

}  // namespace inferline
