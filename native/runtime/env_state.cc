#include "runtime/env_state.h"

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

EnvState::EnvState(Napi::Env env) : env_(env) {
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  async_ = new uv_async_t();
  uv_async_init(loop, async_, &EnvState::OnCompletions);
  async_->data = this;
  // Unreferenced while idle so that an unused addon never keeps the process alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));

  Napi::Object resource = Napi::Object::New(env);
  async_resource_ = Napi::Persistent(resource);
  napi_async_init(env, resource, Napi::String::New(env, "inferline:completion"), &async_context_);
  napi_add_async_cleanup_hook(env, &EnvState::OnAsyncCleanup, this, &cleanup_hook_);
}

EnvState::~EnvState() { WaitForOutstandingJobs(); }

void EnvState::Submit(std::unique_ptr<Job> job) {
  if (in_flight_++ == 0) uv_ref(reinterpret_cast<uv_handle_t*>(async_));
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
    ++outstanding_;
  }
  ThreadPool::Shared().Submit(std::move(job));
}

void EnvState::PushCompletion(std::unique_ptr<Job> job) {
  // The async handle is only closed after outstanding_ reaches zero, so it is valid here.
  uv_async_t* async = async_;
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
    completions_.push_back(std::move(job));
    --outstanding_;
    uv_async_send(async);
    if (outstanding_ == 0) completions_cv_.notify_all();
  }
}

void EnvState::OnCompletions(uv_async_t* handle) { static_cast<EnvState*>(handle->data)->DrainCompletions(); }

void EnvState::DrainCompletions() {
  std::vector<std::unique_ptr<Job>> done;
  {
    std::lock_guard<std::mutex> lock(completions_mutex_);
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
  if (in_flight_ == 0) uv_unref(reinterpret_cast<uv_handle_t*>(async_));
}

void EnvState::WaitForOutstandingJobs() {
  std::unique_lock<std::mutex> lock(completions_mutex_);
  completions_cv_.wait(lock, [this] { return outstanding_ == 0; });
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
  uv_close(reinterpret_cast<uv_handle_t*>(state->async_), [](uv_handle_t* handle) {
    auto* closed_state = static_cast<EnvState*>(handle->data);
    napi_async_cleanup_hook_handle hook_handle = closed_state->cleanup_hook_;
    delete reinterpret_cast<uv_async_t*>(handle);
    closed_state->async_ = nullptr;
    // Whichever of "handle closed" and "instance data finalized" happens last frees the state.
    bool free_now = closed_state->finalized_;
    napi_remove_async_cleanup_hook(hook_handle);
    if (free_now) delete closed_state;
  });
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
  if (state->async_ == nullptr) delete state;
}

}  // namespace inferline
