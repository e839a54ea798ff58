// maxQueueDelayMicros and preferredBatchSizes: while the only instance is busy, requests wait in
// the queue; when it frees, a preferred batch size (or a full batch) leaves at once, and a batch
// that reached neither waits up to the delay for more rows. Requests count by their rows (dim 0).
//
// One instance; the first request of each test starts on it inside infer() (empty queue, idle
// instance), so the requests submitted after it in the same tick all queue behind it, whatever the
// run times. The state when it finishes is read in its own continuation, which runs before the
// batcher releases the instance.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Model, Session, Tensor, type BatchingOptions, type Results } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';
import { mlpFeeds } from '../helpers/mlp-feeds.js';

const kSession = { intraOpThreads: 1 } as const;
/** Long enough that a test would time out if a batch waited for it instead of leaving at once. */
const kForeverMicros = 600_000_000;

let model: Model | undefined;
let reference: Session;
beforeAll(async () => {
  reference = await Session.create(generatedModel('mlp'), kSession);
});
afterAll(() => reference.close());
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

async function loadMlp(batching: BatchingOptions): Promise<Model> {
  model = await Model.load({ name: 'mlp', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, batching });
  return model;
}

/** Submits requests of the given row counts; records the order they resolve in. */
interface Submitted {
  feeds: Array<{ x: Tensor }>;
  promises: Array<Promise<Results>>;
  done: Promise<Results[]>;
  /** Indices in the order their requests resolved. */
  order: number[];
}

/** Submits requests of the given row counts in one tick. */
function submitAll(target: Model, rowCounts: number[], firstSeed: number): Submitted {
  const order: number[] = [];
  const feeds = rowCounts.map((rows, index) => mlpFeeds(rows, firstSeed + index));
  const promises = feeds.map((feed, index) => target.infer(feed).then((result) => {
    order.push(index);
    return result;
  }));
  return { feeds, promises, done: Promise.all(promises), order };
}

function expectOwnOutputs(results: Results[], feeds: Array<{ x: Tensor }>): void {
  results.forEach((result, index) => expectSameTensor(result['y']!, reference.runSync(feeds[index]!)['y']!, `request ${index}`));
}

describe('maxQueueDelayMicros 200 ms, preferredBatchSizes [4]', () => {
  it('queued requests are held while the instance is busy; 6 single rows then leave as a batch of 4, then of 2', async () => {
    const mlp = await loadMlp({ maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayMicros: 200_000 });
    const running = mlp.infer(mlpFeeds(1, 1));
    const queued = submitAll(mlp, [1, 1, 1, 1, 1, 1], 10);
    // Read while the first request runs (synchronously after queueing): all six are held.
    const held = { stats: mlp.stats(), resolved: queued.order.length };
    await running;
    expect(held.resolved).toBe(0);
    expect(held.stats.queueDepth).toBe(6);
    expect(held.stats.queuedRows).toBe(6);
    expect(held.stats.instances.busy).toBe(1);

    expectOwnOutputs(await queued.done, queued.feeds);
    // The preferred size first (FIFO: the 4 oldest), then the rest once the delay passed.
    expect(mlp.stats().batchSizes).toEqual({ 1: 1, 2: 1, 4: 1 });
    expect(queued.order.slice(0, 4).sort()).toEqual([0, 1, 2, 3]);
  });

  it('requests with dim 0 = 3 count 3 rows: [3,1,3] queued give a batch of 4 (3+1), then one of 3', async () => {
    const mlp = await loadMlp({ maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayMicros: 200_000 });
    const running = mlp.infer(mlpFeeds(1, 1));
    const queued = submitAll(mlp, [3, 1, 3], 20);
    const held = mlp.stats(); // while the first request runs
    await running;
    expect(held.queueDepth).toBe(3);
    expect(held.queuedRows).toBe(7);

    expectOwnOutputs(await queued.done, queued.feeds);
    const stats = mlp.stats();
    expect(stats.batchSizes).toEqual({ 1: 1, 3: 1, 4: 1 });
    expect(stats.inferences).toBe(8);
    expect(stats.executions).toBe(3);
    expect(queued.order).toEqual([0, 1, 2]);
  });

  it('the largest preferred size that fits is chosen: preferred [2, 4] and 7 rows give 4, then 2, then 1', async () => {
    const mlp = await loadMlp({ maxBatchSize: 8, preferredBatchSizes: [4, 2], maxQueueDelayMicros: 200_000 });
    const running = mlp.infer(mlpFeeds(1, 1));
    const queued = submitAll(mlp, [1, 1, 1, 1, 1, 1, 1], 30);
    await running;
    expectOwnOutputs(await queued.done, queued.feeds);
    expect(mlp.stats().batchSizes).toEqual({ 1: 2, 2: 1, 4: 1 });
    expect(mlp.stats().executions).toBe(4);
  });
});

describe('batches that leave without waiting for the delay', () => {
  it('a full batch (maxBatchSize rows queued) leaves as soon as the instance frees', { timeout: 20_000 }, async () => {
    const mlp = await loadMlp({ maxBatchSize: 8, maxQueueDelayMicros: kForeverMicros });
    const running = mlp.infer(mlpFeeds(1, 1));
    const queued = submitAll(mlp, [2, 2, 2, 2, 2], 40);
    await running;
    // 10 rows queued: the first 8 fill a batch and leave at once; the last request would wait for
    // the delay (ten minutes) unless more rows come, so send 6 more to fill the next batch.
    const more = submitAll(mlp, [2, 2, 2], 50);
    expectOwnOutputs(await queued.done, queued.feeds);
    expectOwnOutputs(await more.done, more.feeds);
    expect(mlp.stats().batchSizes).toEqual({ 1: 1, 8: 2 });
  });

  it('a preferred size leaves at once, the rest waits for more rows', { timeout: 20_000 }, async () => {
    const mlp = await loadMlp({ maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayMicros: kForeverMicros });
    const running = mlp.infer(mlpFeeds(1, 1));
    const queued = submitAll(mlp, [1, 1, 1, 1, 1, 1], 60);
    await running;
    // The batch of 4 leaves at once; the 2 left wait (for ten minutes) until 2 more make a 4.
    await Promise.all(queued.promises.slice(0, 4));
    expect(queued.order).toHaveLength(4);
    expect(mlp.stats().queueDepth).toBe(2);
    const more = submitAll(mlp, [1, 1], 70);
    expectOwnOutputs(await queued.done, queued.feeds);
    expectOwnOutputs(await more.done, more.feeds);
    expect(mlp.stats().batchSizes).toEqual({ 1: 1, 4: 2 });
  });
});
