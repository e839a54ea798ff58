import { errors } from '../errors.js';
import { describe } from '../validate.js';
import { type DType, type TensorData, dtypeOfArray, isDType, kDTypeNames, kDTypes } from './dtype.js';

/** A shape: one non-negative integer per dimension. */
export type Shape = readonly number[];

/** What a feed may be: a Tensor, an onnxruntime-common Tensor, or a plain object of either shape. */
export type TensorLike =
  | Tensor
  | { readonly type: string; readonly data: unknown; readonly dims: readonly number[] }
  | { readonly dtype: string; readonly data: unknown; readonly shape: readonly number[] };

const kTrusted = Symbol('inferline.tensor.trusted');

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((dim) => String(dim)).join(',')}]`;
}

/** Product of dims, or throws naming the bad dim. */
export function elementCount(shape: readonly unknown[], what: string): number {
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim = shape[i];
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
      throw errors.invalidTensorRange(
        `${what}: dim ${i} of shape ${formatShape(shape)} must be a non-negative integer, received ${describe(dim)}`,
      );
    }
    count *= dim;
  }
  return count;
}

function toTypedData(dtype: DType, data: unknown, what: string): TensorData {
  const info = kDTypes.get(dtype)!;
  if (info.arrayType === null) {
    if (Array.isArray(data) && data.every((item) => typeof item === 'string')) return data as string[];
    throw errors.invalidTensor(`${what}: string data must be an array of strings`);
  }
  if (data instanceof info.arrayType) return data as TensorData;
  if (ArrayBuffer.isView(data) && dtype === 'float16' && data.constructor.name === 'Float16Array') {
    // Float16Array (newer hosts) shares Uint16Array's bit layout: view the same memory.
    return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
  }
  if (dtype === 'bool' && Array.isArray(data)) return Uint8Array.from(data, (item) => (item ? 1 : 0));
  if (Array.isArray(data)) {
    // A plain array is copied once into the right typed array, as onnxruntime-common does.
    if (info.arrayType === BigInt64Array || info.arrayType === BigUint64Array) {
      try {
        return (info.arrayType as BigInt64ArrayConstructor).from(data, (item) => BigInt(item as number | bigint)) as TensorData;
      } catch (cause) {
        // BigInt() throws RangeError for 1.5 and SyntaxError for 'a': report either as the tensor's fault.
        const wrongKind = data.some((item) => typeof item !== 'number' && typeof item !== 'bigint');
        const message = `${what}: ${dtype} data must be integers or bigints (${(cause as Error).message})`;
        throw wrongKind ? errors.invalidTensor(message) : errors.invalidTensorRange(message);
      }
    }
    return (info.arrayType as Float64ArrayConstructor).from(data as number[]) as TensorData;
  }
  const received = ArrayBuffer.isView(data) ? data.constructor.name : typeof data;
  throw errors.dtypeMismatch(`${what}: dtype ${dtype} needs a ${info.arrayType.name}, received ${received}`);
}

/**
 * A tensor: an element type, its data and a shape. Data is held, not copied.
 *
 * @example
 * const x = new Tensor('float32', new Float32Array(16), [1, 16]);
 * const labels = new Tensor('string', ['a', 'b'], [2]);
 * @throws ERR_INFERLINE_INVALID_TENSOR when data and shape disagree or a dim is not a
 * non-negative integer; ERR_INFERLINE_DTYPE_MISMATCH when the typed array does not fit the dtype.
 */
export class Tensor {
  /** Element type. */
  readonly dtype: DType;
  /** Elements in row-major order (float16/bfloat16 as raw bits, bool as 0/1 bytes). */
  readonly data: TensorData;
  /** One non-negative integer per dimension. */
  readonly shape: Shape;

  constructor(dtype: DType, data: TensorData | readonly unknown[], shape?: Shape);
  constructor(data: TensorData, shape?: Shape);
  constructor(a: unknown, b?: unknown, c?: unknown, d?: unknown) {
    if (a === kTrusted) {
      // Internal fast path for outputs the addon built (already consistent): no checks, and no
      // argument array, since it runs for every output of every run.
      this.dtype = b as DType;
      this.data = c as TensorData;
      this.shape = d as Shape;
      return;
    }
    let dtype: unknown = a;
    let data: unknown = b;
    let shape: unknown = c;
    if (typeof a !== 'string') {
      dtype = dtypeOfArray(a);
      data = a;
      shape = b;
      if (dtype === undefined) {
        throw errors.invalidTensor('new Tensor(data): data must be a typed array or an array of strings');
      }
    }
    if (!isDType(dtype)) {
      throw errors.invalidTensor(`new Tensor: dtype must be one of ${kDTypeNames.join(', ')}, received ${String(dtype)}`);
    }
    const typed = toTypedData(dtype, data, 'new Tensor');
    const length = typed.length;
    if (shape === undefined) shape = [length];
    if (!Array.isArray(shape)) throw errors.invalidTensor('new Tensor: shape must be an array of integers');
    const count = elementCount(shape, 'new Tensor');
    if (count !== length) {
      throw errors.invalidTensorRange(
        `new Tensor: shape ${formatShape(shape)} holds ${count} elements, data has ${length}`,
      );
    }
    this.dtype = dtype;
    this.data = typed;
    this.shape = [...(shape as number[])];
  }

  /** onnxruntime-common's name for `dtype`. */
  get type(): DType {
    return this.dtype;
  }

  /** onnxruntime-common's name for `shape`. */
  get dims(): Shape {
    return this.shape;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** @internal Builds a Tensor without checks; for data the addon produced. */
  static fromTrusted(dtype: DType, data: TensorData, shape: Shape): Tensor {
    return new (Tensor as unknown as new (...args: unknown[]) => Tensor)(kTrusted, dtype, data, shape);
  }
}
