/**
 * Tensor data as JSON (and msgpack) arrays: the protocol's `data` field. Requests may nest the
 * array by dimension or send it flat; responses are flat, row-major. Every element is checked
 * against its datatype, since a typed array would silently wrap 300 into an INT8 or truncate 1.5.
 */
import { errors } from '../../errors.js';
import type { DType, TensorData } from '../../tensor/dtype.js';
import { describe } from '../../validate.js';

/** Integer ranges of the integer datatypes narrower than 64 bits. */
const kIntRanges: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-0x80, 0x7f],
  uint8: [0, 0xff],
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

const kInt64Range = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const kUint64Range = [0n, 2n ** 64n - 1n] as const;

/**
 * JSON has no NaN or infinities: responses carry them as these strings (valid JSON, lossless),
 * and requests may too.
 */
const kNonFinite: ReadonlyMap<unknown, number> = new Map([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]]);

/** `data` flattened row-major (arrays nested by dimension, or already flat). */
function flatten(data: readonly unknown[]): readonly unknown[] {
  if (data.length === 0 || !Array.isArray(data[0])) return data;
  return (data as unknown[]).flat(Infinity);
}

/**
 * The elements of a JSON `data` array as inferline's typed data for `dtype`.
 *
 * @throws ERR_INFERLINE_INVALID_TENSOR when the element count is not `count` or an element does
 * not fit the datatype (FP16/BF16 can only travel as bytes: binary extension or msgpack).
 */
export function dataFromJson(dtype: DType, data: readonly unknown[], count: number, what: string): TensorData {
  if (dtype === 'float16' || dtype === 'bfloat16') {
    throw errors.invalidTensor(`${what}: ${dtype === 'float16' ? 'FP16' : 'BF16'} data cannot be sent as a JSON array; send its raw bytes with the binary tensor data extension (parameters.binary_data_size) or as a msgpack byte string`);
  }
  const flat = flatten(data);
  if (flat.length !== count) {
    throw errors.invalidTensorRange(`${what}: data has ${flat.length} elements; the shape needs ${count}`);
  }
  const bad = (index: number, expected: string): never => {
    throw errors.invalidTensor(`${what}: element ${index} must be ${expected}, received ${describe(flat[index])}`);
  };
  switch (dtype) {
    case 'string': {
      const strings = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const item = flat[i];
        if (typeof item === 'string') strings[i] = item;
        else if (item instanceof Uint8Array) strings[i] = Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('utf8');
        else bad(i, 'a string (BYTES)');
      }
      return strings;
    }
    case 'bool': {
      const bools = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        const item = flat[i];
        if (typeof item !== 'boolean') bad(i, 'true or false (BOOL)');
        bools[i] = item ? 1 : 0;
      }
      return bools;
    }
    case 'float32':
    case 'float64': {
      const floats = dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const item = flat[i];
        if (typeof item === 'number') floats[i] = item;
        else floats[i] = kNonFinite.get(item) ?? bad(i, 'a number (or "NaN", "Infinity", "-Infinity")');
      }
      return floats;
    }
    case 'int64':
    case 'uint64':
      return bigIntsFromJson(dtype, flat, bad);
    default: {
      const [min, max] = kIntRanges[dtype]!;
      const Typed = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array }[dtype as 'int8'];
      const ints = new Typed(count);
      for (let i = 0; i < count; i++) {
        const item = flat[i];
        if (typeof item !== 'number' || !Number.isInteger(item) || item < min || item > max) bad(i, `an integer from ${min} to ${max}`);
        ints[i] = item as number;
      }
      return ints;
    }
  }
}

/**
 * INT64/UINT64 from JSON numbers (or msgpack bigints). A JSON number beyond 2^53 has already
 * lost digits when it was parsed, so it is refused rather than served wrong.
 */
function bigIntsFromJson(dtype: 'int64' | 'uint64', flat: readonly unknown[], bad: (index: number, expected: string) => never): TensorData {
  const [min, max] = dtype === 'int64' ? kInt64Range : kUint64Range;
  const count = flat.length;
  const ints = dtype === 'int64' ? new BigInt64Array(count) : new BigUint64Array(count);
  for (let i = 0; i < count; i++) {
    const item = flat[i];
    let value: bigint;
    if (typeof item === 'bigint') value = item;
    else if (Number.isSafeInteger(item)) value = BigInt(item as number);
    else if (typeof item === 'number' && Number.isInteger(item)) {
      return bad(i, `an integer of magnitude at most 2^53 - 1 (a JSON number beyond that is not exact: send ${dtype.toUpperCase()} data through the binary tensor data extension)`);
    } else return bad(i, 'an integer');
    if (value < min || value > max) bad(i, `an integer from ${min} to ${max}`);
    ints[i] = value;
  }
  return ints;
}

/** A JSON number for a float element: the shortest text that reads back as the same value. */
function floatText(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
}

/**
 * The JSON text of a tensor's elements, flat: `[1,2.5,3]`. Written by hand because
 * JSON.stringify cannot write a bigint, and a 64-bit integer must keep all its digits.
 * FP16/BF16 have no JSON form (callers send them as bytes).
 */
export function jsonTextOfData(dtype: DType, data: TensorData): string {
  switch (dtype) {
    case 'string':
      return JSON.stringify(data);
    case 'bool': {
      const bools = data as Uint8Array;
      let text = '[';
      for (let i = 0; i < bools.length; i++) text += (i === 0 ? '' : ',') + (bools[i] !== 0 ? 'true' : 'false');
      return `${text}]`;
    }
    case 'float32':
    case 'float64': {
      const floats = data as Float32Array | Float64Array;
      let finite = true;
      for (let i = 0; i < floats.length && finite; i++) finite = Number.isFinite(floats[i]!);
      return finite ? `[${floats.join(',')}]` : `[${Array.from(floats, floatText).join(',')}]`;
    }
    case 'float16':
    case 'bfloat16':
      throw errors.internal(`jsonTextOfData: ${dtype} has no JSON form`);
    default:
      // Integers, bigints included: join writes every digit.
      return `[${(data as Int32Array).join(',')}]`;
  }
}
