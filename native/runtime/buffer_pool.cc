#include "runtime/buffer_pool.h"

namespace inferline {

PooledBuffer BufferPool::Acquire(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(free_mutex_);
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].capacity >= bytes) {
        PooledBuffer found = std::move(free_[i]);
        free_[i] = std::move(free_.back());
        free_.pop_back();
        return found;
      }
    }
  }
  PooledBuffer fresh;
  fresh.capacity = bytes == 0 ? 1 : bytes;
  fresh.data.reset(new uint8_t[fresh.capacity]);
  return fresh;
}

void BufferPool::Release(PooledBuffer buffer) {
  if (buffer.data == nullptr) return;
  std::lock_guard<std::mutex> lock(free_mutex_);
  if (free_.size() < kMaxFree) {
    free_.push_back(std::move(buffer));
  } else {
    // Keep the larger buffers: batches tend to the largest size under load.
    size_t smallest = 0;
    for (size_t i = 1; i < free_.size(); ++i) {
      if (free_[i].capacity < free_[smallest].capacity) smallest = i;
    }
    if (free_[smallest].capacity < buffer.capacity) free_[smallest] = std::move(buffer);
  }
}

}  // namespace inferline
