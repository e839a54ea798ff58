/**
 * Tensor data as the protocol's typed contents (InferTensorContents): one repeated field per
 * family of datatypes. FP16 and BF16 have no field; they travel only as raw contents.
 */
import { errors } from '../../errors.js';
import type { DType, TensorData } from '../../tensor/dtype.js';
import { datatypeOf } from '../../tensor/kserve-datatype.js';
import { bigintOf, longBitsOf } from './long-values.js';
import type { InferTensorContents, Int64Value } from './messages.js';

type ContentsField = keyof InferTensorContents;

/** The contents field carrying each dtype; undefined for the 16-bit floats (raw only). */
const kFieldOf: Readonly<Record<DType, ContentsField | undefined>> = {
  bool: 'bool_contents',
  int8: 'int_contents',
  int16: 'int_contents',
  int32: 'int_contents',
  int64: 'int64_contents',
  uint8: 'uint_contents',
  uint16: 'uint_contents',
  uint32: 'uint_contents',
  uint64: 'uint64_contents',
  float32: 'fp32_contents',
  float64: 'fp64_contents',
  string: 'bytes_contents',
  float16: undefined,
  bfloat16: undefined,
};

/** Whether a tensor of `dtype` can be written as typed contents. */
export function hasTypedField(dtype: DType): boolean {
  return kFieldOf[dtype] !== undefined;
}

/** Whether any field of `contents` holds elements (a client may send an empty message). */
export function hasElements(contents: InferTensorContents | null): boolean {
  if (contents === null) return false;
  for (const field of Object.values(kFieldOf)) if (field !== undefined && contents[field].length > 0) return true;
  return false;
}

/** Narrow integers into their typed array, refusing values that would wrap. */
function integers(Typed: Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor,
                  values: readonly number[], dtype: DType, what: string): TensorData {
  const typed = Typed.from(values);
  for (let i = 0; i < values.length; i++) {
    if (typed[i] !== values[i]) throw errors.invalidTensorRange(`${what}: element ${i} (${values[i]}) is out of range for ${datatypeOf(dtype)}`);
  }
  return typed;
}

/**
 * The elements of one input given as typed contents, in a typed array of their own.
 *
 * @throws ERR_INFERLINE_INVALID_TENSOR when the datatype's field does not hold `count` elements,
 * an integer is out of its datatype's range, or the datatype is FP16/BF16 (raw only).
 */
export function dataFromTyped(dtype: DType, contents: InferTensorContents | null, count: number, what: string): TensorData {
  const field = kFieldOf[dtype];
  if (field === undefined) {
    throw errors.invalidTensor(`${what}: ${datatypeOf(dtype)} has no typed contents field; send it in raw_input_contents`);
  }
  const values = contents === null ? [] : contents[field];
  if (values.length !== count) {
    throw errors.invalidTensorRange(`${what}: the shape needs ${count} elements in contents.${field}, received ${values.length}`);
  }
  switch (dtype) {
    case 'bool':
      return Uint8Array.from(values as boolean[], (value) => (value ? 1 : 0));
    case 'int8':
      return integers(Int8Array, values as number[], dtype, what);
    case 'int16':
      return integers(Int16Array, values as number[], dtype, what);
    case 'int32':
      return Int32Array.from(values as number[]);
    case 'uint8':
      return integers(Uint8Array, values as number[], dtype, what);
    case 'uint16':
      return integers(Uint16Array, values as number[], dtype, what);
    case 'uint32':
      return Uint32Array.from(values as number[]);
    case 'int64':
      return BigInt64Array.from(values as Int64Value[], (value) => bigintOf(value, false));
    case 'uint64':
      return BigUint64Array.from(values as Int64Value[], (value) => bigintOf(value, true));
    case 'float32':
      return Float32Array.from(values as number[]);
    case 'float64':
      return Float64Array.from(values as number[]);
    case 'string':
      return (values as Uint8Array[]).map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    default:
      throw errors.internal(`${what}: no typed contents decoder for ${dtype}`);
  }
}

/**
 * One output's typed contents: the datatype's field, as the plain arrays protobufjs encodes.
 * Not for FP16/BF16 (see hasTypedField).
 */
export function typedFromData(dtype: DType, data: TensorData): Partial<InferTensorContents> {
  switch (dtype) {
    case 'bool':
      return { bool_contents: Array.from(data as Uint8Array, (value) => value !== 0) };
    case 'int64':
      return { int64_contents: longBitsOf(data as BigInt64Array) };
    case 'uint64':
      return { uint64_contents: longBitsOf(data as BigUint64Array) };
    case 'string':
      return { bytes_contents: (data as string[]).map((text) => Buffer.from(text, 'utf8')) };
    default: {
      const field = kFieldOf[dtype];
      if (field === undefined) throw errors.internal(`${datatypeOf(dtype)} has no typed contents field`);
      return { [field]: Array.from(data as Float32Array) };
    }
  }
}
