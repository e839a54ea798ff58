/**
 * 64-bit protocol integers (shapes, INT64/UINT64 contents, parameters) between protobufjs's Long
 * form and what inferline holds: numbers for shapes, bigints in BigInt64Array/BigUint64Array for
 * tensor data. Exact both ways: no value passes through a float.
 */
import type { Int64Value, LongBits } from './messages.js';

const k2to32 = 2 ** 32;

/** The exact value of a decoded 64-bit field as a bigint. */
export function bigintOf(value: Int64Value, unsigned: boolean): bigint {
  if (typeof value === 'object') {
    const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return BigInt(value);
}

/** A decoded 64-bit field as a number, or undefined when it is not a safe integer. */
export function safeNumberOf(value: Int64Value): number | undefined {
  let number: number;
  if (typeof value === 'object') {
    // high is signed for int64 fields and holds the upper bits either way.
    number = (value.unsigned ? value.high >>> 0 : value.high | 0) * k2to32 + (value.low >>> 0);
  } else {
    number = Number(value);
  }
  return Number.isSafeInteger(number) ? number : undefined;
}

/**
 * Each element of `data` as two 32-bit halves, for protobufjs to encode. Read through an
 * Int32Array over the same memory: the host is little-endian (checked where the server starts),
 * so each element is its low word then its high word.
 */
export function longBitsOf(data: BigInt64Array | BigUint64Array): LongBits[] {
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  const unsigned = data instanceof BigUint64Array;
  const out = new Array<LongBits>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = { low: words[2 * i]!, high: words[2 * i + 1]!, unsigned };
  return out;
}
