// close() waits for the tasks in flight and then refuses new ones; an AbortSignal drops a queued
// task. The handler used here (block.mjs) holds its worker until the test releases it through a
// SharedArrayBuffer, so every step is ordered by Atomics, not by time.
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { expectRejects } from '../helpers/expect-error.js';
import { handler, kContext } from './handlers.js';

/** A gate for block.mjs: `started` resolves once the handler runs; `release()` lets it return. */
function gate(): { shared: Int32Array; started: Promise<unknown>; release: () => void } {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  // Atomics.waitAsync is in Node 20 (V8), not in the ES2023 lib the project compiles against.
  const waitAsync = (Atomics as unknown as { waitAsync: (array: Int32Array, index: number, value: number) => { async: boolean; value: unknown } }).waitAsync;
  const waiting = waitAsync(shared, 0, 0);
  const started = waiting.async ? (waiting.value as Promise<unknown>) : Promise.resolve(waiting.value);
  const release = (): void => {
    Atomics.store(shared, 1, 1);
    Atomics.notify(shared, 1);
  };
  return { shared, started, release };
}

describe('WorkerPool lifecycle', () => {
  it('close() waits for the running and queued tasks, then calls are refused with ERR_INFERLINE_POOL_CLOSED', async () => {
    const pool = new WorkerPool({ size: 1, name: 'closing' });
    const { shared, started, release } = gate();
    const order: string[] = [];
    const running = pool.preprocess(handler('block.mjs'), { shared }, kContext).then(() => order.push('running task'));
    const queued = pool.preprocess(handler('thread-id.mjs'), {}, kContext).then(() => order.push('queued task'));
    await started;
    expect(pool.stats().inFlight).toBe(2);
    const closing = pool.close().then(() => order.push('closed'));
    expect(pool.closed).toBe(true);
    expect(pool.close()).toBe(pool.close()); // the same promise
    await expectRejects(() => pool.preprocess(handler('thread-id.mjs'), {}, kContext), {
      code: 'ERR_INFERLINE_POOL_CLOSED',
      kind: 'InferlineError',
      includes: ['WorkerPool "closing" is closed'],
    });
    await expectRejects(() => pool.postprocess(handler('summarize.mjs'), [], kContext), {
      code: 'ERR_INFERLINE_POOL_CLOSED',
      kind: 'InferlineError',
      includes: ['WorkerPool "closing" is closed: postprocess refused'],
    });
    release();
    await Promise.all([running, queued, closing]);
    expect(order).toEqual(['running task', 'queued task', 'closed']);
    expect(pool.stats().workers).toBe(0);
  });

  it('a signal that fires while the task is queued drops it with ERR_INFERLINE_ABORTED; the reason is the cause', async () => {
    const pool = new WorkerPool({ size: 1, name: 'aborting' });
    try {
      const { shared, started, release } = gate();
      const running = pool.preprocess(handler('block.mjs'), { shared }, kContext);
      await started;
      const controller = new AbortController();
      const transferred = new Uint8Array(4);
      const queued = pool.preprocess(handler('transfer-input.mjs'), { bytes: transferred }, kContext, { signal: controller.signal, transfer: [transferred.buffer] });
      const reason = new Error('caller gave up');
      controller.abort(reason);
      const error = await expectRejects(() => queued, {
        code: 'ERR_INFERLINE_ABORTED',
        kind: 'AbortError',
        includes: ['WorkerPool "aborting": preprocess module', 'transfer-input.mjs', 'aborted'],
      });
      expect(error.cause).toBe(reason);
      expect(transferred.length).toBe(4); // it never left: not detached
      release();
      await running;
      await expectRejects(() => pool.postprocess(handler('summarize.mjs'), [], kContext, { signal: AbortSignal.abort() }), {
        code: 'ERR_INFERLINE_ABORTED',
        kind: 'AbortError',
        includes: ['before it started'],
      });
    } finally {
      await pool.close();
    }
  });
});
