// Preprocess runs in a worker thread and its feeds come back as Tensors over memory the worker
// moved here; the caller's input is shared when it is a SharedArrayBuffer, moved only when asked.
import { threadId as mainThreadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { handler, kContext } from './handlers.js';

describe('WorkerPool.preprocess', () => {
  const pool = new WorkerPool({ size: 1, name: 'pre' });
  afterAll(() => pool.close());

  it('runs the handler off the main thread', async () => {
    const { threadId } = await pool.preprocess(handler('thread-id.mjs'), {}, kContext);
    expect(threadId).toBeInstanceOf(Tensor);
    const workerThreadId = (threadId!.data as Int32Array)[0];
    expect(workerThreadId).toBeGreaterThan(0);
    expect(workerThreadId).not.toBe(mainThreadId);
  });

  it('returns the feeds as Tensors with the data, dtypes and shapes the handler made', async () => {
    const feeds = await pool.preprocess(handler('scale.mjs'), { values: [1.5, -2, 3], scale: 2 }, kContext);
    expect(Object.keys(feeds).sort()).toEqual(['model', 'rounded', 'x']);
    expect(feeds['x']).toBeInstanceOf(Tensor);
    expect(feeds['x']!.dtype).toBe('float32');
    expect(feeds['x']!.shape).toEqual([1, 3]);
    expect([...(feeds['x']!.data as Float32Array)]).toEqual([3, -4, 6]);
    // Plain numbers for int64 become a BigInt64Array (converted once, in the worker).
    expect(feeds['rounded']!.data).toBeInstanceOf(BigInt64Array);
    expect([...(feeds['rounded']!.data as BigInt64Array)]).toEqual([3n, -4n, 6n]);
    // onnxruntime-common's names (type, dims) are accepted; the context reached the handler.
    expect(feeds['model']!.dtype).toBe('string');
    expect(feeds['model']!.data).toEqual(['test-model@3']);
  });

  it('accepts a file: URL as well as a path (a URL object too)', async () => {
    const url = new URL(`file://${handler('thread-id.mjs')}`);
    const viaUrl = await pool.preprocess(url, {}, kContext);
    const viaString = await pool.preprocess(url.href, {}, kContext);
    expect(viaUrl['threadId']!.data).toEqual(viaString['threadId']!.data);
  });

  it('shares a SharedArrayBuffer input (the worker sees and writes the same memory) and copies a plain one', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(shared, 0, 7);
    const plain = new Float32Array([5]);
    const { report } = await pool.preprocess(handler('shared-memory.mjs'), { shared, plain }, kContext);
    const [seen, , isShared] = report!.data as Int32Array;
    expect(seen).toBe(7); // read in the worker
    expect(isShared).toBe(1);
    expect(Atomics.load(shared, 1)).toBe(4242); // written in the worker, seen here
    expect(plain[0]).toBe(5); // the worker wrote to its copy, not ours
    expect(plain.buffer.byteLength).toBe(4); // and ours was not detached
  });

  it('moves the feeds out of the worker (the buffer it returned is detached there), not copies them', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    await pool.preprocess(handler('shared-memory.mjs'), { shared, plain: new Float32Array(1) }, kContext);
    const { report } = await pool.preprocess(handler('shared-memory.mjs'), { shared, plain: new Float32Array(1) }, kContext);
    const [, previousDetached] = report!.data as Int32Array;
    expect(previousDetached).toBe(1);
  });

  it('moves only the input buffers passed in `transfer`', async () => {
    const moved = new Uint8Array([9, 8, 7]);
    const kept = new Uint8Array([1, 2]);
    const viaTransfer = await pool.preprocess(handler('transfer-input.mjs'), { bytes: moved }, kContext, { transfer: [moved.buffer] });
    expect([...(viaTransfer['report']!.data as Int32Array)]).toEqual([3, 9]);
    expect(moved.buffer.byteLength).toBe(0); // detached: it was moved, as asked
    const viaCopy = await pool.preprocess(handler('transfer-input.mjs'), { bytes: kept }, kContext);
    expect([...(viaCopy['report']!.data as Int32Array)]).toEqual([2, 1]);
    expect([...kept]).toEqual([1, 2]); // not asked: never detached
  });

  it('counts its tasks', () => {
    const stats = pool.stats();
    expect(stats.tasks).toBeGreaterThanOrEqual(8);
    expect(stats.failed).toBe(0);
    expect(stats.crashes).toBe(0);
    expect(stats.workers).toBe(1);
    expect(stats.inFlight).toBe(0);
  });
});
