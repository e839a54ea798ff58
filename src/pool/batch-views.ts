/**
 * How the outputs of a batch cross to a worker without copying: each distinct buffer once (moved,
 * or passed as is when shared) plus, per request and output, where its view lies. The outputs of
 * a batch are views into one buffer per output name, so a batch of N requests sends a handful of
 * buffers, not N × outputs arrays. The pool packs; the worker rebuilds the views.
 */
import { errors } from '../errors.js';
import { type DType, isDType, kDTypes } from '../tensor/dtype.js';
import { elementCount } from '../tensor/tensor.js';
import { describe } from '../validate.js';
import type { ViewDescriptor, WireTensor } from './protocol.js';
import { canMove } from './transferables.js';

export interface PackedBatch {
  buffers: Array<ArrayBuffer | SharedArrayBuffer>;
  requests: Array<Record<string, ViewDescriptor>>;
  /** Buffers to move: detached here once the task is posted (see canMove for Node 20's exception). */
  transferList: ArrayBuffer[];
  /** Bytes copied into SharedArrayBuffers while packing (keepOutputs, or buffers Node will not move). */
  copiedBytes: number;
}

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ArrayBufferView;

function shareCopy(buffer: ArrayBufferLike): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(buffer.byteLength);
  new Uint8Array(shared).set(new Uint8Array(buffer));
  return shared;
}

/** Checks one output tensor of one request and returns its dtype, data and shape. */
function checkTensor(value: unknown, what: string): { dtype: DType; data: unknown; shape: number[] } {
  if (typeof value !== 'object' || value === null) {
    throw errors.invalidTensor(`${what}: expected a Tensor, received ${describe(value)}`);
  }
  const { dtype, data, shape } = value as { dtype?: unknown; data?: unknown; shape?: unknown };
  if (!isDType(dtype)) throw errors.invalidTensor(`${what}: expected a Tensor with a known dtype, received dtype ${describe(dtype)}`);
  if (!Array.isArray(shape)) throw errors.invalidTensor(`${what}: shape must be an array of integers, received ${describe(shape)}`);
  const count = elementCount(shape, what);
  const arrayType = kDTypes.get(dtype)!.arrayType;
  if (arrayType === null) {
    if (!Array.isArray(data)) throw errors.dtypeMismatch(`${what}: dtype string needs an array of strings, received ${describe(data)}`);
  } else if (!(data instanceof arrayType)) {
    throw errors.dtypeMismatch(`${what}: dtype ${dtype} needs a ${arrayType.name}, received ${describe(data)}`);
  }
  const length = (data as ArrayLike<unknown>).length;
  if (length !== count) {
    if (arrayType !== null && count > 0 && (data as ArrayBufferView).buffer.byteLength === 0) {
      throw errors.detachedBuffer(`${what}: its ArrayBuffer is detached (moved to another thread, e.g. by an earlier postprocess)`);
    }
    throw errors.invalidTensorRange(`${what}: shape [${shape.join(',')}] holds ${count} elements, data has ${length}`);
  }
  return { dtype, data, shape: shape as number[] };
}

/**
 * Packs the outputs of a batch for one postprocess task. With `keepOutputs`, every buffer that is
 * not already shared is copied once into a SharedArrayBuffer so that the caller's stay usable;
 * otherwise it is moved (and detached here).
 *
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_INVALID_TENSOR, ERR_INFERLINE_DTYPE_MISMATCH,
 * ERR_INFERLINE_DETACHED_BUFFER for outputs that are not tensors or whose memory is gone.
 */
export function packBatch(outputsPerRequest: unknown, what: string, keepOutputs: boolean): PackedBatch {
  if (!Array.isArray(outputsPerRequest)) {
    throw errors.invalidArg(`${what}: expected an array with the outputs of each request, received ${describe(outputsPerRequest)}`);
  }
  const packed: PackedBatch = { buffers: [], requests: [], transferList: [], copiedBytes: 0 };
  const indexOf = new Map<ArrayBufferLike, number>();
  const bufferIndex = (buffer: ArrayBufferLike): number => {
    let index = indexOf.get(buffer);
    if (index !== undefined) return index;
    index = packed.buffers.length;
    indexOf.set(buffer, index);
    if (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) {
      packed.buffers.push(buffer);
    } else if (keepOutputs || (buffer.byteLength > 0 && !canMove(buffer))) {
      // Once per distinct buffer per batch, never per request.
      packed.buffers.push(shareCopy(buffer));
      packed.copiedBytes += buffer.byteLength;
    } else {
      packed.buffers.push(buffer);
      if (buffer.byteLength > 0) packed.transferList.push(buffer as ArrayBuffer);
    }
    return index;
  };
  for (let i = 0; i < outputsPerRequest.length; i++) {
    const outputs: unknown = outputsPerRequest[i];
    if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
      throw errors.invalidArg(`${what}: the outputs of request ${i} must be an object of tensors, received ${describe(outputs)}`);
    }
    const descriptors: Record<string, ViewDescriptor> = {};
    for (const [key, value] of Object.entries(outputs)) {
      const { dtype, data, shape } = checkTensor(value, `${what}: request ${i} output "${key}"`);
      if (Array.isArray(data)) {
        descriptors[key] = { dtype: 'string', shape: [...shape], strings: data as string[] };
      } else {
        const view = data as ArrayBufferView & { length: number };
        descriptors[key] = { dtype, shape: [...shape], buffer: bufferIndex(view.buffer), byteOffset: view.byteOffset, length: view.length };
      }
    }
    packed.requests.push(descriptors);
  }
  return packed;
}

/** Rebuilds one request's outputs from the task's buffers (in the worker): views, no copy. */
export function unpackRequest(buffers: ReadonlyArray<ArrayBuffer | SharedArrayBuffer>, descriptors: Record<string, ViewDescriptor>): Record<string, WireTensor> {
  const outputs: Record<string, WireTensor> = {};
  for (const [key, descriptor] of Object.entries(descriptors)) {
    if ('strings' in descriptor) {
      outputs[key] = { dtype: 'string', data: descriptor.strings, shape: descriptor.shape };
    } else {
      const arrayType = kDTypes.get(descriptor.dtype)!.arrayType as unknown as TypedArrayConstructor;
      const data = new arrayType(buffers[descriptor.buffer]!, descriptor.byteOffset, descriptor.length);
      outputs[key] = { dtype: descriptor.dtype, data, shape: descriptor.shape };
    }
  }
  return outputs;
}
