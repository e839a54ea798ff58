/**
 * Output memory for batches whose outputs go to a postprocess worker. Outputs ONNX Runtime
 * allocates are handed to JavaScript as external ArrayBuffers, and Node 20 copies those when
 * posting them to a worker (it cannot move memory it does not own). So once a batch signature's
 * output row shapes are known (learned from its first batch), later batches are written by ONNX
 * Runtime straight into SharedArrayBuffers, which cross to the worker shared: no copy at all.
 */
import type { Results } from '../session/session.js';
import type { ValueMetadata } from '../session/value-metadata.js';
import { type DType, kDTypes, type TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** An output's dtype and its dims after dim 0 (one row's shape). */
interface RowShape {
  dtype: DType;
  rowDims: number[];
  rowElements: number;
}

/** Signatures remembered at most (a model with endlessly varying shapes must not grow this forever). */
const kMaxSignatures = 64;

export class SharedOutputPlanner {
  readonly #outputs: readonly ValueMetadata[];
  /** Per batch signature, per session output: its row shape, or undefined (strings: not preallocated). */
  readonly #shapes = new Map<string, Array<RowShape | undefined>>();

  constructor(outputs: readonly ValueMetadata[]) {
    this.#outputs = outputs;
  }

  /** Whole-batch output tensors over fresh SharedArrayBuffers, or undefined while not learned. */
  plan(signature: string, rows: number): Array<Tensor | undefined> | undefined {
    const shapes = this.#shapes.get(signature);
    if (shapes === undefined) return undefined;
    return shapes.map((shape) => {
      if (shape === undefined) return undefined;
      const ArrayType = kDTypes.get(shape.dtype)!.arrayType! as unknown as new (buffer: ArrayBufferLike) => TensorData;
      const bytes = rows * shape.rowElements * (ArrayType as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      return Tensor.fromTrusted(shape.dtype, new ArrayType(new SharedArrayBuffer(bytes)), [rows, ...shape.rowDims]);
    });
  }

  /** Remembers the row shapes of a finished batch of `signature` from one request's outputs. */
  learn(signature: string, outputs: Results): void {
    if (this.#shapes.has(signature)) return;
    if (this.#shapes.size >= kMaxSignatures) this.#shapes.delete(this.#shapes.keys().next().value!);
    this.#shapes.set(signature, this.#outputs.map((declared) => {
      const tensor = outputs[declared.name];
      if (tensor === undefined || tensor.dtype === 'string' || tensor.shape.length === 0) return undefined;
      const rowDims = tensor.shape.slice(1);
      return { dtype: tensor.dtype, rowDims, rowElements: rowDims.reduce((a, b) => a * b, 1) };
    }));
  }

  /** Drops what was learned (a batch run with it failed: the shapes may depend on more than dims). */
  forget(signature: string): void {
    this.#shapes.delete(signature);
  }
}
