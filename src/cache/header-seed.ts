/**
 * The part of a result-cache key that is not bytes: every input's name, dtype and shape, hashed
 * in JS into the seed of the bytes' digest.
 */
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/tensor.js';

// Odd 32-bit multipliers drawn at random for this hash, one per lane.
const kLaneA = 0x6795184f;
const kLaneB = 0xe2bbd019;

/** One step of a 32-bit multiply-rotate lane. */
function step(lane: number, value: number, multiplier: number): number {
  const mixed = Math.imul(lane ^ value, multiplier);
  return (mixed << 13) | (mixed >>> 19);
}

/** Final avalanche of a 32-bit lane (xorshift-multiply). */
function finish32(lane: number): number {
  let x = lane ^ (lane >>> 16);
  x = Math.imul(x, 0xac1eafb1);
  x ^= x >>> 15;
  x = Math.imul(x, 0xd38ac927);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * `seed` (53 bits) mixed with every input's name, dtype and shape, for the digest of the bytes.
 * Hashing this small header in JS keeps it out of the Map key: a short digest-only key string
 * is looked up several times faster than one with the header spelt out in it. Two 32-bit lanes;
 * lengths and rank go in before their contents, so no two headers feed the same sequence.
 */
export function headerSeed(seed: number, names: readonly string[], dtypes: readonly DType[], shapes: readonly Shape[]): number {
  let a = (seed % 0x100000000) | 0;
  let b = Math.floor(seed / 0x100000000) | 0;
  a = step(a, names.length, kLaneA);
  b = step(b, names.length, kLaneB);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const dtype = dtypes[i]!;
    const shape = shapes[i]!;
    a = step(a, name.length, kLaneA);
    b = step(b, name.length, kLaneB);
    for (let c = 0; c < name.length; c++) {
      a = step(a, name.charCodeAt(c), kLaneA);
      b = step(b, name.charCodeAt(c), kLaneB);
    }
    for (let c = 0; c < dtype.length; c++) {
      a = step(a, dtype.charCodeAt(c), kLaneA);
      b = step(b, dtype.charCodeAt(c), kLaneB);
    }
    a = step(a, 0x10000 + shape.length, kLaneA);
    b = step(b, 0x10000 + shape.length, kLaneB);
    for (let d = 0; d < shape.length; d++) {
      const dim = shape[d]!;
      const high = Math.floor(dim / 0x100000000);
      a = step(step(a, dim | 0, kLaneA), high, kLaneA);
      b = step(step(b, dim | 0, kLaneB), high, kLaneB);
    }
  }
  return (finish32(b ^ a) & 0x1fffff) * 0x100000000 + finish32(a);
}
