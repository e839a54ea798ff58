// Reusable byte buffers for batch inputs, so that assembling a batch does not allocate (and
// fault in fresh pages) every time. Owned by a SessionCore; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace inferline {

struct PooledBuffer {
  std::unique_ptr<uint8_t[]> data;  // uninitialised: callers overwrite what they use
  size_t capacity = 0;
};

class BufferPool {
 public:
  // A buffer of at least `bytes`, recycled when one is free.
  PooledBuffer Acquire(size_t bytes);
  // Returns a buffer for reuse; beyond kMaxFree buffers it is freed instead.
  void Release(PooledBuffer buffer);

 private:
  static constexpr size_t kMaxFree = 8;  // enough for a few instances' inputs in flight
  std::mutex free_mutex_;                // guards free_
  std::vector<PooledBuffer> free_;
};

}  // namespace inferline
