#include "runtime/prewake_timer.h"

#ifdef __linux__
#include <sys/timerfd.h>
#include <unistd.h>
#endif

namespace inferline {

#ifdef __linux__

void PrewakeTimer::Init(uv_loop_t* loop, Callback on_fire, void* data) {
  on_fire_ = on_fire;
  data_ = data;
  fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd_ < 0) return;
  auto* poll = new uv_poll_t();
  if (uv_poll_init(loop, poll, fd_) != 0) {
    delete poll;
    close(fd_);
    fd_ = -1;
    return;
  }
  poll->data = this;
  uv_poll_start(poll, UV_READABLE, &PrewakeTimer::OnReadable);
  uv_unref(reinterpret_cast<uv_handle_t*>(poll));
  poll_ = poll;
}

void PrewakeTimer::ArmAt(uint64_t deadline_ns) {
  if (poll_ == nullptr) return;
  if (armed_at_ns_ != 0 && armed_at_ns_ <= deadline_ns) return;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(deadline_ns / 1000000000);
  spec.it_value.tv_nsec = static_cast<long>(deadline_ns % 1000000000);
  if (timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) == 0) armed_at_ns_ = deadline_ns;
}

void PrewakeTimer::Disarm() {
  if (armed_at_ns_ == 0) return;
  itimerspec spec{};  // all zero: disarms
  timerfd_settime(fd_, 0, &spec, nullptr);
  armed_at_ns_ = 0;
}

void PrewakeTimer::OnReadable(uv_poll_t* handle, int status, int events) {
  (void)events;
  auto* timer = static_cast<PrewakeTimer*>(handle->data);
  uint64_t expirations = 0;
  // Nonblocking: a read that finds nothing (the timer was re-armed after it fired) is harmless.
  ssize_t got = read(timer->fd_, &expirations, sizeof(expirations));
  if (status < 0 || got != static_cast<ssize_t>(sizeof(expirations))) return;
  timer->armed_at_ns_ = 0;
  timer->on_fire_(timer->data_);
}

void PrewakeTimer::Close(ClosedCallback on_closed) {
  on_closed_ = on_closed;
  if (poll_ == nullptr) {
    on_closed(data_);
    return;
  }
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), &PrewakeTimer::OnClosed);
}

void PrewakeTimer::OnClosed(uv_handle_t* handle) {
  auto* timer = static_cast<PrewakeTimer*>(handle->data);
  delete reinterpret_cast<uv_poll_t*>(handle);
  timer->poll_ = nullptr;
  // The fd outlives the poll handle: libuv must stop watching it before it can be closed.
  close(timer->fd_);
  timer->fd_ = -1;
  timer->on_closed_(timer->data_);
}

#else  // !__linux__: no high-resolution timer; completions wake the loop themselves.

void PrewakeTimer::Init(uv_loop_t*, Callback on_fire, void* data) {
  on_fire_ = on_fire;
  data_ = data;
}
void PrewakeTimer::ArmAt(uint64_t) {}
void PrewakeTimer::Disarm() {}
void PrewakeTimer::OnReadable(uv_poll_t*, int, int) {}
void PrewakeTimer::OnClosed(uv_handle_t*) {}
void PrewakeTimer::Close(ClosedCallback on_closed) { on_closed(data_); }

#endif

}  // namespace inferline
