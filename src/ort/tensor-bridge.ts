/**
 * Moves tensors between onnxruntime-common and inferline without copying their data: feeds go in
 * as they are (inferline reads `{ type, data, dims }`), outputs come back as onnxruntime-common
 * Tensors over the very typed arrays inferline returned.
 */
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { errors } from '../errors.js';
import type { Feeds } from '../session/session.js';
import type { DType, TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { kOrtTensorTypes } from './value-metadata.js';

/** onnxruntime-common's constructor without its per-type overloads: the type is checked by us. */
type UntypedOrtTensorConstructor = new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
const kOrtTensor = OrtTensor as unknown as UntypedOrtTensorConstructor;

/**
 * Float16Array where the host has it (Node 24+ with the flag, newer browsers). onnxruntime-common
 * then stores float16 data as Float16Array, whose elements are numbers; inferline carries the
 * same bits as a Uint16Array, which is a view of the same memory, not a conversion.
 */
const kFloat16Array = (globalThis as { Float16Array?: abstract new (...args: never[]) => ArrayBufferView }).Float16Array;

/** A view, not a copy: a Uint16Array over a Float16Array's bytes. */
function float16Bits(data: ArrayBufferView): Uint16Array {
  return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
}

/**
 * Where an onnxruntime-common Tensor keeps its data: inferline reads CPU memory only. Checked by
 * reading `location`, not by instanceof, so Tensors of another onnxruntime-common copy (the
 * CommonJS one onnxruntime-node loads) are handled the same way.
 */
function requireCpu(value: object, what: string): void {
  const location = (value as { location?: unknown }).location;
  if (location === undefined || location === 'cpu' || location === 'cpu-pinned') return;
  if (location === 'none') throw errors.invalidTensor(`${what}: the Tensor was disposed`);
  throw errors.unsupported(`${what}: the Tensor's data is on '${String(location)}'; inferline reads tensors in CPU memory only`);
}

/**
 * The feeds as inferline's Session.run takes them. The same object unless a feed needs a view
 * (Float16Array data); its Tensors are never copied.
 *
 * @throws ERR_INFERLINE_UNSUPPORTED for a Tensor whose data is not in CPU memory;
 * ERR_INFERLINE_INVALID_TENSOR for a disposed Tensor.
 */
export function toInferlineFeeds(feeds: Readonly<Record<string, unknown>>, label: string): Feeds {
  let adapted: Record<string, unknown> | undefined;
  for (const name of Object.keys(feeds)) {
    const feed = feeds[name];
    if (typeof feed !== 'object' || feed === null) continue; // the session reports it, naming the input
    requireCpu(feed, `Session "${label}" input "${name}"`);
    const data = (feed as { data?: unknown }).data;
    if (kFloat16Array !== undefined && data instanceof kFloat16Array) {
      adapted ??= { ...feeds };
      adapted[name] = { type: 'float16', data: float16Bits(data), dims: (feed as { dims?: unknown }).dims };
    }
  }
  return (adapted ?? feeds) as Feeds;
}

/**
 * An inferline Tensor over a preallocated onnxruntime-common Tensor's own data, for ONNX Runtime
 * to write the output into.
 *
 * @throws ERR_INFERLINE_UNSUPPORTED for a type inferline cannot carry or data not in CPU memory.
 */
export function toPreallocated(tensor: OrtTensor, label: string, name: string): Tensor {
  const what = `Session "${label}" output "${name}"`;
  requireCpu(tensor, what);
  if (tensor.type === 'uint4' || tensor.type === 'int4') {
    throw errors.unsupported(`${what}: a preallocated ${tensor.type} Tensor is not supported by inferline`);
  }
  // Tensor's constructor views Float16Array data as Uint16Array, so this keeps the caller's memory.
  return new Tensor(tensor.type as DType, tensor.data as TensorData, tensor.dims);
}

/**
 * An onnxruntime-common Tensor over `tensor`'s data (no copy).
 *
 * @throws ERR_INFERLINE_UNSUPPORTED for a dtype onnxruntime-common has no Tensor type for (bfloat16).
 */
export function toOrtTensor(tensor: Tensor, label: string, name: string): OrtTensor {
  if (!kOrtTensorTypes.has(tensor.dtype)) throw unrepresentable(label, name, tensor.dtype);
  return new kOrtTensor(tensor.dtype, tensor.data, tensor.shape);
}

/** The error for an output onnxruntime-common cannot represent. */
export function unrepresentable(label: string, name: string, dtype: string): Error {
  const elsewhere = dtype === 'bfloat16' ? ", or use inferline's Session, which returns bfloat16 as raw bits in a Uint16Array" : '';
  return errors.unsupported(
    `Session "${label}" output "${name}" is ${dtype}, which onnxruntime-common's Tensor cannot hold; fetch the other outputs${elsewhere}`,
  );
}
