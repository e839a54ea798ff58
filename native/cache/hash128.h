// A fast non-cryptographic 128-bit hash of bytes in place, for the result cache's keys.
//
// Four independent 64-bit lanes each take one 8-byte word of every 32-byte stripe (xor the
// word in, multiply by an odd constant, rotate), so a core runs the four multiply chains side by
// side; a tail of up to 31 bytes goes to the lanes word by word; then two finalising chains,
// each reading every lane and the length in a different order through a xorshift-multiply
// mixer, give the two 64-bit halves. Words are read little-endian on every host, so a digest
// does not depend on the machine that computed it.
//
// Not a MAC and not collision-resistant against an adversary: the cache compares the stored
// input bytes on every hit, so a collision can cost a miss but never a wrong result.
#pragma once

#include <cstddef>
#include <cstdint>

namespace inferline {

struct Hash128Digest {
  uint64_t lo;  // first half: bits 0..63
  uint64_t hi;  // second half: bits 64..127
};

// The running state of one hash: four lanes, fed whole 32-byte stripes. Hash128 drives it over a
// byte range; Hash128List feeds it one stripe per item of a list.
class Hash128State {
 public:
  explicit Hash128State(uint64_t seed);

  // Absorbs one stripe: words[i] goes to lane i.
  void Stripe(const uint64_t words[4]);
  // Absorbs the last 0..31 bytes of a range (length < 32); `bytes` may be null when length is 0.
  void Tail(const uint8_t* bytes, size_t length);
  // The digest of everything absorbed; `total_length` (bytes or items) is mixed in so that inputs
  // of different lengths whose padded tails agree still differ.
  Hash128Digest Finish(uint64_t total_length) const;

 private:
  uint64_t lanes_[4];  // the four independent accumulators
};

// The digest of `length` bytes at `data` (null allowed when length is 0) under `seed`.
Hash128Digest Hash128(const void* data, size_t length, uint64_t seed);

}  // namespace inferline
