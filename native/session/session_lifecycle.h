// Bookkeeping of one JS Session that its runs in flight share: how many are running, which can
// be cancelled, and who waits for close(). JS-thread only, so it needs no lock; held by the JS
// wrapper and by each run job (shared_ptr), since either may go first.
#pragma once

#include <napi.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace inferline {

class RunJob;

struct SessionLifecycle {
  size_t runs_in_flight = 0;                             // async runs submitted, not completed
  bool closed = false;                                   // close() was called
  std::vector<Napi::Promise::Deferred> close_waiters;    // resolved when runs_in_flight hits 0
  std::unordered_map<uint32_t, RunJob*> cancellable;     // runs with a signal, by id; not owned
  uint32_t next_run_id = 1;

  void ResolveCloseWaitersIfIdle(Napi::Env env) {
    if (!closed || runs_in_flight != 0) return;
    for (Napi::Promise::Deferred& waiter : close_waiters) waiter.Resolve(env.Undefined());
    close_waiters.clear();
  }
};

}  // namespace inferline
