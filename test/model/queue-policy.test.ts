// The queue's policy, one rule per test: a full queue rejects at once; a request that waits past
// its timeout is rejected (action 'reject') or served after those still in time ('delay'); an
// abort withdraws only a queued request, never one whose batch runs; priorities are served lowest
// number first, FIFO within a level; a request larger than a batch is refused.
//
// One instance, and the first request of each test starts on it at once (empty queue, idle
// instance), so every request submitted in the same tick after it is queued: the state does not
// depend on how long anything runs. Only the timeout tests need the first run to outlast a
// timer: there it is slow.onnx on [512,512], about 100 ms, against timeouts of 1 ms.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Model, Tensor, type BatchingOptions, type InferOptions, type Results } from '../../src/index.js';
import { expectInferlineError, expectRejects } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kSession = { intraOpThreads: 1 } as const;
const kWidth = 512;

let model: Model | undefined;
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

async function loadSlow(batching: BatchingOptions): Promise<Model> {
  model = await Model.load({ name: 'slow', path: generatedModel('slow'), session: kSession, instances: { count: 1 }, batching });
  return model;
}

function slowInput(rows: number, seed: number): { x: Tensor } {
  return { x: new Tensor('float32', randomFloat32(rows * kWidth, seed), [rows, kWidth]) };
}

/** Records the order in which labelled requests settle, and how. */
class SettleOrder {
  readonly order: string[] = [];
  readonly outcomes = new Map<string, { ok: true; value: Results } | { ok: false; error: unknown }>();
  readonly #pending: Array<Promise<void>> = [];

  track(label: string, promise: Promise<Results>): void {
    this.#pending.push(
      promise.then(
        (value) => {
          this.order.push(label);
          this.outcomes.set(label, { ok: true, value });
        },
        (error: unknown) => {
          this.order.push(label);
          this.outcomes.set(label, { ok: false, error });
        },
      ),
    );
  }

  async all(): Promise<void> {
    await Promise.all(this.#pending);
  }

  error(label: string): unknown {
    const outcome = this.outcomes.get(label);
    expect(outcome?.ok, `${label} rejected`).toBe(false);
    return (outcome as { error: unknown }).error;
  }

  value(label: string): Results {
    const outcome = this.outcomes.get(label);
    if (outcome?.ok !== true) throw new Error(`${label} did not resolve: ${String((outcome as { error?: unknown } | undefined)?.error)}`);
    return outcome.value;
  }
}

describe('maxQueueSize', () => {
  it('a request beyond maxQueueSize rejects at once with ERR_INFERLINE_QUEUE_FULL; the queued ones are served', async () => {
    const slow = await loadSlow({ maxBatchSize: 64, maxQueueSize: 2 });
    const settled = new SettleOrder();
    settled.track('running', slow.infer(slowInput(64, 1)));
    settled.track('queued 1', slow.infer(slowInput(64, 2)));
    settled.track('queued 2', slow.infer(slowInput(64, 3)));
    expect(slow.stats().queueDepth).toBe(2);
    settled.track('rejected', slow.infer(slowInput(64, 4)));
    await settled.all();
    // At once: before the request that was already running finished.
    expect(settled.order[0]).toBe('rejected');
    expectInferlineError(settled.error('rejected'), { code: 'ERR_INFERLINE_QUEUE_FULL', kind: 'InferlineError', includes: ['Model "slow"', 'queue full', '2'] });
    for (const label of ['running', 'queued 1', 'queued 2']) expect(settled.value(label)['y']!.shape).toEqual([64, kWidth]);
    expect(slow.stats().requests).toEqual({ success: 3, failure: 1 });

    // The limit is on what waits, not a counter: once the queue drained, requests are taken again.
    await expect(slow.infer(slowInput(64, 5))).resolves.toHaveProperty('y');
  });
});

describe('timeouts', () => {
  it('timeoutMs: a request still queued when it passes rejects with ERR_INFERLINE_TIMEOUT; the rest are served', async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth });
    const settled = new SettleOrder();
    settled.track('running', slow.infer(slowInput(kWidth, 1)));
    settled.track('timed out', slow.infer(slowInput(kWidth, 2), { timeoutMs: 1 }));
    settled.track('patient', slow.infer(slowInput(kWidth, 3)));
    await settled.all();
    expect(settled.order).toEqual(['timed out', 'running', 'patient']);
    expectInferlineError(settled.error('timed out'), { code: 'ERR_INFERLINE_TIMEOUT', kind: 'InferlineError', includes: ['Model "slow"', '1 ms'] });
    expect(slow.stats().requests).toEqual({ success: 2, failure: 1 });
  });

  it('defaultTimeoutMicros applies to time in the queue only, and timeoutMs overrides it', async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth, defaultTimeoutMicros: 1000 });
    const settled = new SettleOrder();
    // Runs ~100 ms, far past 1 ms, but it never waited: the timeout does not cut runs short.
    settled.track('running', slow.infer(slowInput(kWidth, 1)));
    settled.track('default', slow.infer(slowInput(kWidth, 2)));
    settled.track('overridden', slow.infer(slowInput(kWidth, 3), { timeoutMs: 600_000 }));
    await settled.all();
    expectInferlineError(settled.error('default'), { code: 'ERR_INFERLINE_TIMEOUT', kind: 'InferlineError', includes: ['Model "slow"'] });
    expect(settled.value('running')['y']!.shape).toEqual([kWidth, kWidth]);
    expect(settled.value('overridden')['y']!.shape).toEqual([kWidth, kWidth]);
  });

  it("timeoutAction 'delay': a late request is served after the requests still in time, not rejected", async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth, timeoutAction: 'delay' });
    const settled = new SettleOrder();
    settled.track('running', slow.infer(slowInput(kWidth, 1)));
    settled.track('late', slow.infer(slowInput(kWidth, 2), { timeoutMs: 1 }));
    settled.track('in time 1', slow.infer(slowInput(kWidth, 3)));
    settled.track('in time 2', slow.infer(slowInput(kWidth, 4)));
    await settled.all();
    expect(settled.order).toEqual(['running', 'in time 1', 'in time 2', 'late']);
    expect(settled.value('late')['y']!.shape).toEqual([kWidth, kWidth]);
    expect(slow.stats().requests).toEqual({ success: 4, failure: 0 });
  });

  it("timeoutAction 'delay' with defaultTimeoutMicros: a late high-priority request goes behind in-time low-priority ones", async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth, timeoutAction: 'delay', priorityLevels: 2, defaultTimeoutMicros: 600_000_000 });
    const settled = new SettleOrder();
    settled.track('running', slow.infer(slowInput(kWidth, 1)));
    settled.track('late, priority 0', slow.infer(slowInput(kWidth, 2), { priority: 0, timeoutMs: 1 }));
    settled.track('in time, priority 1', slow.infer(slowInput(kWidth, 3), { priority: 1 }));
    await settled.all();
    expect(settled.order).toEqual(['running', 'in time, priority 1', 'late, priority 0']);
  });
});

describe('abort', () => {
  it('aborting a queued request rejects it alone with ERR_INFERLINE_ABORTED; the others resolve', async () => {
    const slow = await loadSlow({ maxBatchSize: 64 });
    const controller = new AbortController();
    const reason = new Error('caller left');
    const settled = new SettleOrder();
    settled.track('running', slow.infer(slowInput(64, 1)));
    settled.track('before', slow.infer(slowInput(16, 2)));
    settled.track('aborted', slow.infer(slowInput(16, 3), { signal: controller.signal }));
    settled.track('after', slow.infer(slowInput(16, 4)));
    controller.abort(reason);
    await settled.all();
    expect(settled.order[0]).toBe('aborted'); // withdrawn at once, not when its batch would have run
    const error = expectInferlineError(settled.error('aborted'), { code: 'ERR_INFERLINE_ABORTED', kind: 'AbortError', includes: ['Model "slow"'] });
    expect(error.cause).toBe(reason);
    for (const label of ['running', 'before', 'after']) expect(settled.value(label)).toHaveProperty('y');
    const stats = slow.stats();
    expect(stats.requests).toEqual({ success: 3, failure: 1 });
    expect(stats.inferences).toBe(64 + 16 + 16); // the aborted rows never ran
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborting a request whose batch is already running does not cut it short: it resolves', async () => {
    const slow = await loadSlow({ maxBatchSize: 64 });
    const controller = new AbortController();
    // Empty queue, idle instance: it is dispatched inside infer(), so it is running now.
    const running = slow.infer(slowInput(64, 1), { signal: controller.signal });
    expect(slow.stats().instances.busy).toBe(1);
    controller.abort();
    const result = await running;
    expect(result['y']!.shape).toEqual([64, kWidth]);
    expect(slow.stats().requests).toEqual({ success: 1, failure: 0 });
  });

  it('a signal that resolves its request leaves no listener behind', async () => {
    const slow = await loadSlow({ maxBatchSize: 64 });
    const controller = new AbortController();
    const running = slow.infer(slowInput(8, 1));
    const queued = slow.infer(slowInput(8, 2), { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await Promise.all([running, queued]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('priorities', () => {
  it('under contention, priority 0 is served first, then 1, then 2; FIFO within a level', async () => {
    const slow = await loadSlow({ maxBatchSize: 64, priorityLevels: 3 });
    const settled = new SettleOrder();
    const infer = (label: string, options: InferOptions, seed: number): void => settled.track(label, slow.infer(slowInput(64, seed), options));
    infer('running', {}, 1);
    infer('p2 a', { priority: 2 }, 2);
    infer('p0 a', { priority: 0 }, 3);
    infer('p1 a', { priority: 1 }, 4);
    infer('p0 b', { priority: 0 }, 5);
    infer('p2 b', { priority: 2 }, 6);
    infer('default (1)', {}, 7); // defaultPriority: the middle level
    infer('p1 b', { priority: 1 }, 8);
    await settled.all();
    expect(settled.order).toEqual(['running', 'p0 a', 'p0 b', 'p1 a', 'default (1)', 'p1 b', 'p2 a', 'p2 b']);
    // maxBatchSize 64 with 64-row requests: one request per batch.
    expect(slow.stats().batchSizes).toEqual({ 64: 8 });
  });
});

describe('request size', () => {
  it('a request with more rows than maxBatchSize rejects with a clear error', async () => {
    const slow = await loadSlow({ maxBatchSize: 64 });
    await expectRejects(() => slow.infer(slowInput(65, 1)), {
      code: 'ERR_INFERLINE_INVALID_ARG',
      kind: 'RangeError',
      includes: ['Model "slow"', '65 rows', 'maxBatchSize 64'],
    });
    expect(slow.stats().requests).toEqual({ success: 0, failure: 1 });
    await expect(slow.infer(slowInput(64, 2))).resolves.toHaveProperty('y');
  });
});
