#include "runtime/env_state.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "runtime/completion_spin.h"
#include "runtime/cpu_placement.h"
#include "runtime/thread_pool.h"

namespace inferline {

EnvState* EnvState::Create(Napi::Env env) {
  auto* state = new EnvState(env);
  napi_set_instance_data(env, state, &EnvState::OnFinalize, nullptr);
  return state;
}

EnvState* EnvState::Get(Napi::Env env) {
  void* data = nullptr;
  if (napi_get_instance_data(env, &data) != napi_ok) return nullptr;
  return static_cast<EnvState*>(data);
}

namespace {

// Reads a microsecond setting from the environment, in ns; `fallback_micros` when unset or bad.
uint64_t MicrosFromEnv(const char* name, uint64_t fallback_micros) {
  const char* text = std::getenv(name);
  if (text != nullptr && *text != '\0') {
    char* end = nullptr;
    long parsed = std::strtol(text, &end, 10);
    if (*end == '\0' && parsed >= 0 && parsed <= 100000) return static_cast<uint64_t>(parsed) * 1000;
  }
  return fallback_micros * 1000;
}

// Runs longer than this are not pre-woken: a late wake-up costs them well under 1%.
constexpr uint64_t kPrewakeMaxJobNs = 10 * 1000 * 1000;
// How long before the expected completion the pre-wake fires. The timer's own wake-up takes
// ~30 µs here and run times spread by tens of µs, so it must lead by more than that.
constexpr uint64_t kDefaultPrewakeMicros = 100;

}  // namespace

EnvState::EnvState(Napi::Env env)
    : env_(env),
      poll_window_ns_(MicrosFromEnv("INFERLINE_SPIN_MICROS", 50)),
      pool_size_(ThreadPool::Shared().size()),
      prewake_lead_ns_(MicrosFromEnv("INFERLINE_PREWAKE_MICROS", kDefaultPrewakeMicros)) {
  napi_get_uv_event_loop(env, &loop_);
  async_ = new uv_async_t();
  uv_async_init(loop_, async_, &EnvState::OnCompletions);
  async_->data = this;
  // Unreferenced while idle so that an unused addon never keeps the process alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));
  idle_ = new uv_idle_t();
  uv_idle_init(loop_, idle_);
  idle_->data = this;
  // Never keeps the loop alive by itself; while started it only makes epoll poll without sleeping.
  uv_unref(reinterpret_cast<uv_handle_t*>(idle_));
  prewake_.Init(loop_, &EnvState::OnPrewake, this);

  Napi::Object resource = Napi::Object::New(env);
  async_resource_ = Napi::Persistent(resource);
  napi_async_init(env, resource, Napi::String::New(env, "inferline:completion"), &async_context_);
  napi_add_async_cleanup_hook(env, &EnvState::OnAsyncCleanup, this, &cleanup_hook_);
}

EnvState::~EnvState() { WaitForOutstandingJobs(); }

void EnvState::Submit(std::unique_ptr<Job> job) {
  if (in_flight_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(async_));
  // Poll only while a pool thread is free for the job: once this environment keeps every pool
  // thread busy, completions arrive back to back anyway, and polling would take the core that
  // a (lower-priority) pool thread needs.
  // Nor for long jobs (a moving average over 4 windows): their results are not worth a core
  // spent polling, and on a busy machine that core is the one the pool thread needs.
  uint64_t now = uv_hrtime();
  job->submitted_ns = now;
  // For the pool's co-location move (thread_pool.cc): only a lone caller's JS thread sits idle
  // while its job runs; a busier one is better left where the scheduler put it.
  if (in_flight_ == 1) job->lone_submit_cpu = CurrentCpu();
  bool prewake = false;
  resume_spin_ = false;  // a poll still running for the previous job polls the ordinary way
  if (poll_window_ns_ > 0 && in_flight_ < pool_size_) {
    if (average_job_ns_ < 4 * poll_window_ns_) {
      poll_until_ns_ = now + poll_window_ns_;
      if (!uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) uv_idle_start(idle_, &EnvState::OnIdlePoll);
    } else if (prewake_lead_ns_ > 0 && average_job_ns_ < kPrewakeMaxJobNs) {
      prewake = true;
      // A poll still running for the previous job (this submit came from its completion) would
      // spin through most of this one: stop it at its next turn; the timer wakes us in time.
      poll_until_ns_ = now;
    }
  }
  outstanding_.fetch_add(1, std::memory_order_acq_rel);
  ThreadPool::Shared().Submit(std::move(job));
  // After the submit: arming is a syscall (a VM exit, several µs here) the job need not wait for.
  if (prewake) prewake_.ArmAt(now + average_run_ns_ - std::min(prewake_lead_ns_, average_run_ns_));
}

void EnvState::PushCompletion(std::unique_ptr<Job> job) {
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
    completions_.push_back(std::move(job));
  }
  // Outside the lock: the JS thread polling for this flag must not then block on our mutex
  // (measured: a blocked poll costs a full sleep and wake, most of a small model's run).
  has_completions_.store(true, std::memory_order_release);
  // The async handle is only closed after outstanding_ reaches zero, so it is valid here.
  uv_async_send(async_);
  // Under the lock: teardown checks outstanding_ under it too, so it cannot see zero and free
  // this state while we are still about to touch it.
  std::lock_guard<std::mutex> lock(completions_mutex_);
  if (outstanding_.fetch_sub(1, std::memory_order_acq_rel) == 1) completions_cv_.notify_all();
}

void EnvState::OnCompletions(uv_async_t* handle) {
  static_cast<EnvState*>(handle->data)->DrainCompletions(/*wait_for_lock=*/true);
}

void EnvState::OnIdlePoll(uv_idle_t* handle) {
  auto* state = static_cast<EnvState*>(handle->data);
  if (state->has_completions_.load(std::memory_order_acquire)) {
    state->DrainCompletions(/*wait_for_lock=*/false);
  } else if (state->resume_spin_ && state->in_flight_ > 0 && uv_hrtime() < state->poll_until_ns_) {
    // The pre-wake's spin gave way to the loop, whose work has run by now: spin again for the
    // rest of the window. This handle is stopped first: an active idle handle makes the loop
    // look busy to the spin.
    uv_idle_stop(handle);
    state->SpinForResult();
    return;
  } else {
    // On a busy machine the run we wait for may need this very core: give it up each turn.
    std::this_thread::yield();
  }
  if (state->in_flight_ == 0 || uv_hrtime() >= state->poll_until_ns_) {
    uv_idle_stop(handle);
    state->resume_spin_ = false;
  }
}

void EnvState::OnPrewake(void* data) {
  auto* state = static_cast<EnvState*>(data);
  if (state->in_flight_ == 0 || state->torn_down_) return;
  // Armed while a pool thread was free; since then more runs may have started (a batcher's next
  // batch, another caller). With every pool thread busy, a spinning JS thread would take a core
  // from one of them: let the completion wake us instead.
  if (state->in_flight_ >= state->pool_size_ ||
      static_cast<size_t>(ThreadPool::Shared().running()) >= state->pool_size_) {
    return;
  }
  // Wait through the expected completion and as long again after it, then let the async handle
  // wake us as usual.
  state->poll_until_ns_ = uv_hrtime() + 2 * state->prewake_lead_ns_ + state->poll_window_ns_;
  state->SpinForResult();
}

void EnvState::SpinForResult() {
  resume_spin_ = false;
  switch (SpinForCompletion(has_completions_, loop_, poll_until_ns_, job_cpu_)) {
    case SpinOutcome::kArrived:
      DrainCompletions(/*wait_for_lock=*/true);
      break;
    case SpinOutcome::kLoopBusy:
      // Let the loop do its work; the idle poll resumes the spin after it (OnIdlePoll).
      resume_spin_ = true;
      if (!uv_is_active(reinterpret_cast<uv_handle_t*>(idle_))) uv_idle_start(idle_, &EnvState::OnIdlePoll);
      break;
    case SpinOutcome::kSharedCpu:  // the job needs this CPU: sleep until it is done
    case SpinOutcome::kTimedOut:   // later than expected: not worth more spinning
      break;
  }
}

void EnvState::DrainCompletions(bool wait_for_lock) {
  std::vector<std::unique_ptr<Job>> done;
  {
    std::unique_lock<std::mutex> lock(completions_mutex_, std::defer_lock);
    // The poll never sleeps on the lock: a pool thread holds it for a push only, so the next
    // poll (or the async callback that push triggers) will find the job.
    if (wait_for_lock) {
      lock.lock();
    } else if (!lock.try_lock()) {
      return;
    }
    has_completions_.store(false, std::memory_order_relaxed);
    done.swap(completions_);
  }
  if (done.empty() || torn_down_) return;
  Napi::Env env(env_);
  Napi::HandleScope outer(env);
  // The callback scope makes Node drain the microtask queue when it closes, so code awaiting a
  // run resumes right after this drain instead of on some later, unrelated tick.
  napi_callback_scope scope = nullptr;
  napi_open_callback_scope(env_, async_resource_.Value(), async_context_, &scope);
  for (std::unique_ptr<Job>& job : done) {
    // Exponential moving averages (1/8 weight). Submit to drain decides between polling and the
    // pre-wake. Submit to executed times the pre-wake: it leaves out our own wake-up, which the
    // pre-wake exists to remove, and its samples are clipped at 1.25× the average, since a run
    // the machine preempted (a few in a hundred here, hundreds of µs late) would otherwise pull
    // the pre-wake late for the typical run; a real change of run time still moves it within
    // tens of runs.
    uint64_t drained = uv_hrtime() - job->submitted_ns;
    average_job_ns_ = average_job_ns_ - average_job_ns_ / 8 + drained / 8;
    uint64_t ran = job->executed_ns > job->submitted_ns ? job->executed_ns - job->submitted_ns : 0;
    if (average_run_ns_ > 0) ran = std::min(ran, average_run_ns_ + average_run_ns_ / 4);
    average_run_ns_ = average_run_ns_ - average_run_ns_ / 8 + ran / 8;
    {
      Napi::HandleScope per_job(env);
      job->Complete(env);
      // Complete reports its failures through the job's promise; anything still pending here
      // is a bug in a factory of ours, and must not leak into the next job.
      if (env.IsExceptionPending()) env.GetAndClearPendingException();
    }
    job.reset();
    --in_flight_;
  }
  napi_close_callback_scope(env_, scope);
  if (in_flight_ == 0) {
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));
    // Nothing left to wake up for: a stale timer would only cost the thread a sleep and wake.
    prewake_.Disarm();
  }
}

void EnvState::WaitForOutstandingJobs() {
  std::unique_lock<std::mutex> lock(completions_mutex_);
  completions_cv_.wait(lock, [this] { return outstanding_.load(std::memory_order_acquire) == 0; });
}

void EnvState::OnAsyncCleanup(napi_async_cleanup_hook_handle hook, void* data) {
  auto* state = static_cast<EnvState*>(data);
  // The environment is going away (worker exit or process end). Jobs still running hold pointers
  // to this state, so wait for them, then drop their results without calling into JS.
  state->WaitForOutstandingJobs();
  state->torn_down_ = true;
  {
    std::lock_guard<std::mutex> lock(state->completions_mutex_);
    state->completions_.clear();
  }
  (void)hook;
  uv_idle_stop(state->idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(state->idle_), &EnvState::OnHandleClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(state->async_), &EnvState::OnHandleClosed);
  state->prewake_.Close(&EnvState::OnPrewakeClosed);
}

void EnvState::OnPrewakeClosed(void* data) { static_cast<EnvState*>(data)->HandleClosed(); }

void EnvState::OnHandleClosed(uv_handle_t* handle) {
  auto* state = static_cast<EnvState*>(handle->data);
  if (handle == reinterpret_cast<uv_handle_t*>(state->async_)) {
    delete state->async_;
    state->async_ = nullptr;
  } else {
    delete state->idle_;
    state->idle_ = nullptr;
  }
  state->HandleClosed();
}

void EnvState::HandleClosed() {
  if (--open_handles_ > 0) return;
  napi_async_cleanup_hook_handle hook_handle = cleanup_hook_;
  // Whichever of "handles closed" and "instance data finalized" happens last frees the state.
  bool free_now = finalized_;
  napi_remove_async_cleanup_hook(hook_handle);
  if (free_now) delete this;
}

void EnvState::OnFinalize(napi_env env, void* data, void* hint) {
  (void)hint;
  auto* state = static_cast<EnvState*>(data);
  if (state->async_context_ != nullptr) {
    napi_async_destroy(env, state->async_context_);
    state->async_context_ = nullptr;
  }
  state->make_error.Reset();
  state->make_tensor.Reset();
  state->session_ctor.Reset();
  state->async_resource_.Reset();
  state->finalized_ = true;
  if (state->open_handles_ == 0) delete state;
}

}  // namespace inferline
