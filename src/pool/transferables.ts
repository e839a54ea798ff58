/**
 * Which buffers can be moved to another thread, and whether a value can cross at all. Used on
 * both sides of the pool: by the main thread for batch outputs, by workers for what handlers return.
 */
import * as workerThreads from 'node:worker_threads';

// Node ≥ 21 tells which ArrayBuffers it refuses to move: its Buffer pool and the external buffers
// addons make (ours wraps ONNX Runtime's memory in them), whose free callback must run on the
// thread that made them. Node 20 cannot tell, and copies such a buffer silently when it is in a
// transfer list (measured: test/pool/external-buffers.test.ts); Node ≥ 21 throws instead.
const kIsMarkedAsUntransferable = (workerThreads as { isMarkedAsUntransferable?: (value: unknown) => boolean })
  .isMarkedAsUntransferable;

/**
 * True if `buffer` may go in a transfer list: not shared (shared memory is passed as is), not
 * empty or detached (nothing to move), and not one Node says it will not move (Node ≥ 21).
 */
export function canMove(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  if (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) return false;
  if (buffer.byteLength === 0) return false;
  return kIsMarkedAsUntransferable === undefined || !kIsMarkedAsUntransferable(buffer);
}

export interface ScanResult {
  /** Where the first value that cannot be sent between threads is, e.g. `.boxes[2].toJSON` (a function). */
  unclonable?: string;
  /** The movable buffers found (of typed arrays, DataViews and bare ArrayBuffers), each once. */
  buffers: Set<ArrayBuffer>;
}

function unclonableKind(value: unknown): string | undefined {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value instanceof Promise) return 'a Promise (await it in the handler)';
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) return `a ${value.constructor.name}`;
  return undefined;
}

/**
 * Walks `value` once: finds the buffers to move and the first thing structured clone would
 * refuse (functions, symbols, promises, weak collections). A refusal found here becomes a clear
 * per-request error; one found only by postMessage would crash the worker that sent it.
 */
export function scanValue(value: unknown, into: Set<ArrayBuffer> = new Set()): ScanResult {
  const seen = new Set<object>();
  const visit = (item: unknown, path: string): string | undefined => {
    const kind = unclonableKind(item);
    if (kind !== undefined) return `${path || 'the value'} (${kind})`;
    if (typeof item !== 'object' || item === null || seen.has(item)) return undefined;
    seen.add(item);
    if (ArrayBuffer.isView(item)) {
      if (canMove(item.buffer)) into.add(item.buffer);
      return undefined;
    }
    if (item instanceof ArrayBuffer) {
      if (canMove(item)) into.add(item);
      return undefined;
    }
    if (item instanceof Map) {
      let index = 0;
      for (const [key, entry] of item) {
        const found = visit(key, `${path}.<key ${index}>`) ?? visit(entry, `${path}.get(${index})`);
        if (found !== undefined) return found;
        index++;
      }
      return undefined;
    }
    if (item instanceof Set) {
      let index = 0;
      for (const entry of item) {
        const found = visit(entry, `${path}.<entry ${index++}>`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const found = visit(item[i], `${path}[${i}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(item)) {
      const found = visit((item as Record<string, unknown>)[key], `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const unclonable = visit(value, '');
  return unclonable === undefined ? { buffers: into } : { unclonable, buffers: into };
}
