/**
 * Tensor data made up rather than given: zeros, a constant, or random values, for any dtype.
 * The repository's warmup requests and `inferline bench`'s load both build their inputs here.
 */
import { type DType, kDTypes, type TensorData } from './dtype.js';

/** A constant, "zero", or "random". */
export type FillValue = number | 'random' | 'zero';

/** float32 → IEEE half bits (rounded to nearest, ties away from zero; overflow to infinity). */
function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent >= 0x1f) return sign | 0x7c00 | (Number.isNaN(value) ? 0x200 : 0);
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >> (1 - exponent);
    return sign | ((m + 0x1000) >> 13);
  }
  return sign | ((exponent << 10) + ((mantissa + 0x1000) >> 13));
}

/** float32 → bfloat16 bits (truncated: warmup values need not be exact). */
function bfloat16Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0]! >>> 16;
}

/**
 * `count` elements of `dtype`, filled as asked. Random floats lie in [0, 1), random integers in
 * [0, 10): valid indices for most models.
 */
export function fillData(dtype: DType, count: number, fill: FillValue): TensorData {
  const next = (): number => (fill === 'random' ? Math.random() : fill === 'zero' ? 0 : fill);
  const nextInteger = (): number => (fill === 'random' ? Math.floor(Math.random() * 10) : fill === 'zero' ? 0 : Math.trunc(fill));
  switch (dtype) {
    case 'string':
      return Array.from({ length: count }, () => (fill === 'zero' ? '' : String(fill === 'random' ? nextInteger() : fill)));
    case 'bool':
      return Uint8Array.from({ length: count }, () => (fill === 'random' ? (Math.random() < 0.5 ? 1 : 0) : next() !== 0 ? 1 : 0));
    case 'float16':
      return Uint16Array.from({ length: count }, () => float16Bits(next()));
    case 'bfloat16':
      return Uint16Array.from({ length: count }, () => bfloat16Bits(next()));
    case 'int64':
      return BigInt64Array.from({ length: count }, () => BigInt(nextInteger()));
    case 'uint64':
      return BigUint64Array.from({ length: count }, () => BigInt(Math.max(0, nextInteger())));
    case 'float32':
    case 'float64':
      return (kDTypes.get(dtype)!.arrayType as Float64ArrayConstructor).from({ length: count }, next) as TensorData;
    default:
      return (kDTypes.get(dtype)!.arrayType as Int32ArrayConstructor).from({ length: count }, nextInteger) as TensorData;
  }
}

