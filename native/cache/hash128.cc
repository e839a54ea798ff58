#include "cache/hash128.h"

#include <cstring>

namespace inferline {
namespace {

// Odd 64-bit constants drawn at random for this hash (about half their bits set); odd so that
// multiplying by one is a bijection on 64-bit words, and no input word is lost.
constexpr uint64_t kLaneMul[4] = {0x14cc7657292f505bULL, 0x3a0b90b7e5889d11ULL, 0x390fa9a97f0ce0d7ULL,
                                  0xd22f98ce41ff8321ULL};
constexpr uint64_t kLaneSpread = 0x9e6c63d0676a9a99ULL;
// Per-lane rotations, all far from 0 and 32, and distinct so that lanes do not move in step.
constexpr int kLaneRot[4] = {27, 31, 37, 41};
constexpr uint64_t kLaneInit[4] = {0xa24b0449eef54d77ULL, 0x7e2dac4930769f05ULL, 0x1c0e7b504dd92fe3ULL,
                                   0x33e6568fa7a58717ULL};
constexpr uint64_t kMixMul0 = 0xc8fc379e89f3bc21ULL;
constexpr uint64_t kMixMul1 = 0x7de32cb9fb08e819ULL;
constexpr uint64_t kFinishLo = 0xb163aae35caf6489ULL;
constexpr uint64_t kFinishHi = 0x6e10c2aaa8f1d399ULL;

inline uint64_t Rotl(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

// A little-endian 64-bit word from 8 bytes at any alignment (memcpy compiles to one load).
inline uint64_t Load64(const uint8_t* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, sizeof(word));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  word = __builtin_bswap64(word);
#endif
  return word;
}

// One lane step: a bijection of the word for any lane value, so two words that differ leave the
// lane different. A multiply carries a changed bit only upwards, so one alone would leave a
// change in bit 63 as a one-bit change that the next word could cancel (a two-bit collision,
// seen in testing). Hence multiply, rotate the high bits down, multiply again: any change of the
// word leaves a dense change in the lane, which only a word chosen for it could undo.
inline uint64_t Round(uint64_t lane, uint64_t word, int index) {
  return Rotl((lane ^ word) * kLaneMul[index], kLaneRot[index]) * kLaneSpread;
}

// Full avalanche of one 64-bit word (xorshift-multiply, bijective): each input bit flips each
// output bit with probability about 1/2. Used only at the end, where lanes have weak diffusion.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 32;
  x *= kMixMul0;
  x ^= x >> 29;
  x *= kMixMul1;
  x ^= x >> 32;
  return x;
}

}  // namespace

Hash128State::Hash128State(uint64_t seed)
    : lanes_{seed + kLaneInit[0], seed ^ kLaneInit[1], Rotl(seed, 21) + kLaneInit[2], ~seed ^ kLaneInit[3]} {}

void Hash128State::Stripe(const uint64_t words[4]) {
  lanes_[0] = Round(lanes_[0], words[0], 0);
  lanes_[1] = Round(lanes_[1], words[1], 1);
  lanes_[2] = Round(lanes_[2], words[2], 2);
  lanes_[3] = Round(lanes_[3], words[3], 3);
}

void Hash128State::Tail(const uint8_t* bytes, size_t length) {
  // Whole words go to lanes 0, 1, 2 in turn; a last partial word, zero-padded, to the next lane
  // (at most lane 3, since length < 32). The length in Finish tells padding from real zeros.
  int lane = 0;
  for (; length >= 8; bytes += 8, length -= 8, ++lane) lanes_[lane] = Round(lanes_[lane], Load64(bytes), lane);
  if (length > 0) {
    uint8_t padded[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::memcpy(padded, bytes, length);
    lanes_[lane] = Round(lanes_[lane], Load64(padded), lane);
  }
}

Hash128Digest Hash128State::Finish(uint64_t total_length) const {
  // Two chains, each bijective in every lane given the others, reading the lanes in opposite
  // orders with different combining operations; they run side by side in the pipeline.
  uint64_t lo = kFinishLo ^ total_length;
  uint64_t hi = kFinishHi + Rotl(total_length, 32);
  lo = Mix64(lo ^ lanes_[0]);
  hi = Mix64(hi + lanes_[3]);
  lo = Mix64(lo + lanes_[1]);
  hi = Mix64(hi ^ lanes_[2]);
  lo = Mix64(lo ^ lanes_[2]);
  hi = Mix64(hi + lanes_[1]);
  lo = Mix64(lo + lanes_[3]);
  hi = Mix64(hi ^ lanes_[0]);
  // Cross the halves so that each also depends on the other chain's last state.
  return Hash128Digest{Mix64(lo ^ Rotl(hi, 29)), Mix64(hi + lo)};
}

Hash128Digest Hash128(const void* data, size_t length, uint64_t seed) {
  Hash128State state(seed);
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  size_t left = length;
  uint64_t words[4];
  for (; left >= 32; bytes += 32, left -= 32) {
    words[0] = Load64(bytes);
    words[1] = Load64(bytes + 8);
    words[2] = Load64(bytes + 16);
    words[3] = Load64(bytes + 24);
    state.Stripe(words);
  }
  state.Tail(bytes, left);
  return state.Finish(length);
}

}  // namespace inferline
