/**
 * A cache entry's outputs: private copies made once when the entry is stored, and handed out as
 * fresh copies on every hit.
 *
 * Why copies both ways: typed arrays cannot be frozen, so any array the cache shares with a
 * caller could be written through, and the next hit would return the altered values. Copying in
 * at store time cuts the link to the caller's (or a batch's) buffers; copying out per hit cuts
 * the link between callers. The copy out is one memcpy per output, cheap next to a hash of the
 * inputs for the small outputs caches usually hold. Shapes are frozen arrays, shared safely;
 * strings are immutable, so a string tensor's array is copied but its strings are not.
 */
import { errors } from '../errors.js';
import type { DType, TensorData } from '../tensor/dtype.js';
import { type Shape, Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';

/** One output as a snapshot holds it: name, dtype, shape, and bytes or strings. */
export type SnapshotOutput = [name: string, dtype: DType, shape: number[], data: Uint8Array | string[]];

/** Bytes a string array is counted as: its UTF-8 and 4 bytes of length per string. */
function stringBytes(strings: readonly string[]): number {
  let total = 4 * strings.length;
  for (const text of strings) total += Buffer.byteLength(text, 'utf8');
  return total;
}

/** A fresh copy of tensor data (only the view's own elements, for a view into a larger buffer). */
function copyData(data: TensorData): TensorData {
  return data.slice() as TensorData;
}

/** Sets `name` on `record` even when it is "__proto__", which plain assignment would not. */
function setOwn(record: Record<string, Tensor>, name: string, tensor: Tensor): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value: tensor, enumerable: true, writable: true, configurable: true });
  else record[name] = tensor;
}

export class StoredOutputs {
  /** Output names, in the order compute returned them. */
  readonly #names: readonly string[];
  readonly #dtypes: readonly DType[];
  /** Frozen: shared by every copy handed out. */
  readonly #shapes: readonly Shape[];
  /** The cache's private data; never handed out, never written after construction. */
  readonly #datas: readonly TensorData[];
  /** Bytes of all outputs' data (strings as UTF-8 plus 4 per string). */
  readonly bytes: number;

  private constructor(names: string[], dtypes: DType[], shapes: Shape[], datas: TensorData[]) {
    this.#names = names;
    this.#dtypes = dtypes;
    this.#shapes = shapes;
    this.#datas = datas;
    let bytes = 0;
    for (const data of datas) bytes += Array.isArray(data) ? stringBytes(data) : data.byteLength;
    this.bytes = bytes;
  }

  /**
   * Private copies of `outputs` (output name → Tensor), as compute returned them.
   *
   * @throws ERR_INFERLINE_INVALID_ARG when `outputs` is not an object of Tensors.
   */
  static copyOf(outputs: Readonly<Record<string, Tensor>>, what: string): StoredOutputs {
    return StoredOutputs.#of(outputs, what, copyData);
  }

  /** `outputs` kept as they are: for tensors nobody else holds (see handOverToCache). */
  static keep(outputs: Readonly<Record<string, Tensor>>, what: string): StoredOutputs {
    return StoredOutputs.#of(outputs, what, (data) => data);
  }

  static #of(outputs: Readonly<Record<string, Tensor>>, what: string, own: (data: TensorData) => TensorData): StoredOutputs {
    if (typeof outputs !== 'object' || outputs === null) {
      throw errors.invalidArg(`${what}: compute must resolve to an object of output Tensors, received ${describe(outputs)}`);
    }
    const names = Object.keys(outputs);
    const dtypes: DType[] = [];
    const shapes: Shape[] = [];
    const datas: TensorData[] = [];
    for (const name of names) {
      const tensor = outputs[name];
      if (!(tensor instanceof Tensor)) {
        throw errors.invalidArg(`${what}: compute must resolve to an object of output Tensors; output "${name}" is ${describe(tensor)}`);
      }
      dtypes.push(tensor.dtype);
      shapes.push(Object.freeze([...tensor.shape]));
      datas.push(own(tensor.data));
    }
    return new StoredOutputs(names, dtypes, shapes, datas);
  }

  /** Outputs read from a snapshot, already checked by the caller; `datas` become the cache's own. */
  static adopt(names: string[], dtypes: DType[], shapes: number[][], datas: TensorData[]): StoredOutputs {
    return new StoredOutputs(names, dtypes, shapes.map((shape) => Object.freeze([...shape])), datas);
  }

  /** Fresh Tensors over fresh copies of the data: what a hit returns. */
  copy(): Record<string, Tensor> {
    const record: Record<string, Tensor> = {};
    for (let i = 0; i < this.#names.length; i++) {
      setOwn(record, this.#names[i]!, Tensor.fromTrusted(this.#dtypes[i]!, copyData(this.#datas[i]!), this.#shapes[i]!));
    }
    return record;
  }

  /** The outputs for a snapshot: bytes as Uint8Array views of the private data (no copy). */
  toSnapshot(): SnapshotOutput[] {
    return this.#names.map((name, i) => {
      const data = this.#datas[i]!;
      const bytes = Array.isArray(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      return [name, this.#dtypes[i]!, [...this.#shapes[i]!], bytes];
    });
  }
}
