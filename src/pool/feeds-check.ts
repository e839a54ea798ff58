/**
 * Checks what a preprocess handler returned, in the worker: an object of tensors whose data fits
 * dtype and shape. Checking here, not on the main thread, keeps a bad return from ever reaching
 * postMessage (which would crash the worker on, say, a function) and lets the main thread wrap
 * the feeds without checking them again.
 */
import { Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';
import type { Failure, WireTensor } from './protocol.js';
import { canMove } from './transferables.js';

export interface CheckedFeeds {
  ok: true;
  feeds: Record<string, WireTensor>;
  /** The feeds' buffers that can be moved to the main thread, each once. */
  buffers: Set<ArrayBuffer>;
}

const kExpected = 'an object of tensors, { name: { dtype, data, shape } }';

function invalid(detail: string, key?: string): Failure {
  return key === undefined ? { ok: false, reason: 'result', detail } : { ok: false, reason: 'result', detail, key };
}

/**
 * The feeds in `returned`, or why they cannot be used. Plain number arrays are converted into
 * the dtype's typed array (once, here); typed arrays are kept as they are. onnxruntime-common's
 * names (`type`, `dims`) are accepted as well.
 */
export function checkFeeds(returned: unknown): CheckedFeeds | Failure {
  if (typeof returned !== 'object' || returned === null || Array.isArray(returned) || ArrayBuffer.isView(returned)) {
    return invalid(`expected ${kExpected}, received ${describe(returned)}`);
  }
  const feeds: Record<string, WireTensor> = {};
  const buffers = new Set<ArrayBuffer>();
  for (const key of Object.keys(returned)) {
    const value = (returned as Record<string, unknown>)[key];
    if (typeof value !== 'object' || value === null) {
      return invalid(`expected a tensor { dtype, data, shape }, received ${describe(value)}`, key);
    }
    const like = value as { dtype?: unknown; type?: unknown; data?: unknown; shape?: unknown; dims?: unknown };
    const dtype = like.dtype ?? like.type;
    const shape = like.shape ?? like.dims;
    if (!Array.isArray(shape)) return invalid(`shape must be an array of integers, received ${describe(shape)}`, key);
    let tensor: Tensor;
    try {
      tensor = new Tensor(dtype as never, like.data as never, shape);
    } catch (error) {
      return invalid((error as Error).message.replace(/^new Tensor: /, ''), key);
    }
    feeds[key] = { dtype: tensor.dtype, data: tensor.data, shape: tensor.shape as number[] };
    if (!Array.isArray(tensor.data) && canMove(tensor.data.buffer)) buffers.add(tensor.data.buffer as ArrayBuffer);
  }
  return { ok: true, feeds, buffers };
}
