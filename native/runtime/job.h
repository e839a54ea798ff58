// A unit of work that runs on the pool and completes on the JS thread that submitted it.
#pragma once

#include <napi.h>

#include <cstdint>

namespace inferline {

class EnvState;

class Job {
 public:
  explicit Job(EnvState* env_state) : env_state_(env_state) {}
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // Runs on a pool thread. Must not touch any Napi value, env or reference; must not throw.
  virtual void Execute() = 0;
  // Runs on the submitting environment's JS thread, inside a callback scope, after Execute.
  virtual void Complete(Napi::Env env) = 0;

  EnvState* env_state() const { return env_state_; }

  uint64_t submitted_ns = 0;  // uv_hrtime() at submit; the JS thread's own bookkeeping
  uint64_t executed_ns = 0;   // uv_hrtime() when Execute returned; set by the pool thread
  // The submitting JS thread's CPU, recorded only when this job is its environment's one run in
  // flight (the JS thread then waits on it alone); -1 otherwise or where unknown.
  int lone_submit_cpu = -1;

 private:
  EnvState* env_state_;  // not owned; outlives the job (its teardown waits for outstanding jobs)
};

}  // namespace inferline
