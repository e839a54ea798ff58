// Deterministic pseudo-random tensor data for every dtype, so that comparisons against
// onnxruntime-node run on the same, non-trivial bytes every time.
import { seededRandom } from '../fixtures/seeded-random.js';
import type { DType, TensorData } from '../../src/index.js';

/** 32 random bits per call, from the seeded PRNG. */
function bitsFrom(seed: number): () => number {
  const next = seededRandom(seed);
  return () => Math.floor(next() * 2 ** 32) >>> 0;
}

/** A 64-bit pattern made of two 32-bit draws: exercises values beyond 2^53. */
function bigBits(next: () => number): bigint {
  return (BigInt(next()) << 32n) | BigInt(next());
}

/** Floats in [-1, 1), the range of normalised images and audio. */
export function randomFloat32(count: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

/**
 * `count` elements of `dtype`: integers over their whole range, floats in [-1, 1), float16 and
 * bfloat16 as arbitrary 16-bit patterns, bool as 0/1, strings of varying length (some non-ASCII).
 */
export function randomData(dtype: DType, count: number, seed: number): TensorData {
  const next = bitsFrom(seed);
  switch (dtype) {
    case 'float32':
      return randomFloat32(count, seed);
    case 'float64':
      return Float64Array.from(randomFloat32(count, seed), (value, index) => value + index * 1e-12);
    case 'float16':
    case 'bfloat16':
    case 'uint16':
      return Uint16Array.from({ length: count }, () => next() & 0xffff);
    case 'int8':
      return Int8Array.from({ length: count }, () => next() << 24 >> 24);
    case 'int16':
      return Int16Array.from({ length: count }, () => next() << 16 >> 16);
    case 'int32':
      return Int32Array.from({ length: count }, () => next() | 0);
    case 'uint8':
      return Uint8Array.from({ length: count }, () => next() & 0xff);
    case 'uint32':
      return Uint32Array.from({ length: count }, () => next());
    case 'int64':
      return BigInt64Array.from({ length: count }, () => BigInt.asIntN(64, bigBits(next)));
    case 'uint64':
      return BigUint64Array.from({ length: count }, () => bigBits(next));
    case 'bool':
      return Uint8Array.from({ length: count }, () => next() & 1);
    case 'string':
      return Array.from({ length: count }, (_, index) => `s${index}-${next().toString(36)}-é€`.slice(0, 1 + (next() % 16)));
  }
}
