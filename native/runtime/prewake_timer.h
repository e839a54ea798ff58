// A one-shot timer with microsecond resolution on the JS thread's loop.
//
// libuv's timers have millisecond resolution, too coarse to wake the JS thread "just before" a
// run of about a millisecond completes. On Linux a timerfd watched by a uv_poll_t gives the
// kernel's high-resolution timers instead. Elsewhere the timer is simply unavailable
// (Available() is false) and callers fall back to being woken by the completion itself.
#pragma once

#include <uv.h>

#include <cstdint>

namespace inferline {

class PrewakeTimer {
 public:
  using Callback = void (*)(void* data);
  using ClosedCallback = void (*)(void* data);

  PrewakeTimer() = default;
  PrewakeTimer(const PrewakeTimer&) = delete;
  PrewakeTimer& operator=(const PrewakeTimer&) = delete;

  // Main thread. Creates the timer on `loop`; on failure the timer stays unavailable. The poll
  // handle is unreferenced: an armed timer never keeps the loop alive by itself.
  void Init(uv_loop_t* loop, Callback on_fire, void* data);
  bool Available() const { return poll_ != nullptr; }

  // Main thread. Fires once at `deadline_ns` (uv_hrtime()'s clock, CLOCK_MONOTONIC), unless an
  // earlier deadline is already armed: the earliest wins.
  void ArmAt(uint64_t deadline_ns);
  // Main thread. Cancels an armed deadline (cheap when none is armed).
  void Disarm();
  bool Armed() const { return armed_at_ns_ != 0; }

  // Main thread, once. Stops and closes the handle; `on_closed(data)` runs when it is closed
  // (at once, synchronously, when the timer was never available).
  void Close(ClosedCallback on_closed);

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnClosed(uv_handle_t* handle);

  int fd_ = -1;                       // the timerfd; closed after the poll handle is
  uv_poll_t* poll_ = nullptr;         // heap-allocated: freed by uv_close's callback
  uint64_t armed_at_ns_ = 0;          // the pending deadline, 0 when disarmed
  Callback on_fire_ = nullptr;
  ClosedCallback on_closed_ = nullptr;
  void* data_ = nullptr;              // passed to both callbacks
};

}  // namespace inferline
