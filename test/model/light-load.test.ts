// The idle-instance rule: a request that finds the queue empty and an instance idle runs at once,
// however long maxQueueDelayMicros is. Under light load (one caller, each request awaited before
// the next is sent) batching must then cost nothing: every batch has one request, and no request
// waits for the delay.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Model, Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kSession = { intraOpThreads: 1 } as const;
const kDelayMicros = 50_000;
const kRequests = 20;

describe('one caller at a time, maxQueueDelayMicros 50 ms', () => {
  let model: Model;
  let reference: Session;
  beforeAll(async () => {
    reference = await Session.create(generatedModel('mlp'), kSession);
  });
  afterAll(() => reference.close());
  // A fresh model per test: its stats (queue time max included) start from zero.
  beforeEach(async () => {
    model = await Model.load({
      name: 'mlp',
      path: generatedModel('mlp'),
      session: kSession,
      instances: { count: 1 },
      batching: { maxBatchSize: 64, maxQueueDelayMicros: kDelayMicros },
    });
  });
  afterEach(() => model.unload());

  it('every request runs as a batch of one, without waiting for the delay', async () => {
    for (let request = 0; request < kRequests; request++) {
      const x = new Tensor('float32', randomFloat32(256, 40 + request), [1, 256]);
      const result = await model.infer({ x });
      expectSameTensor(result['y']!, reference.runSync({ x })['y']!, `request ${request}`);
    }
    const stats = model.stats();
    expect(stats.batchSizes).toEqual({ 1: kRequests });
    expect(stats.requests).toEqual({ success: kRequests, failure: 0 });
    // Not a timing benchmark: the rule dispatches inside infer() itself (empty queue, idle
    // instance), so a request's queue time is the few microseconds of that call. A request that
    // waited for the delay instead would show at least the full 50 000 µs here, so the bound
    // separates the two behaviours by orders of magnitude and cannot flake on a slow machine.
    expect(stats.queueMicros.count).toBe(kRequests);
    expect(stats.queueMicros.p99).toBeLessThan(kDelayMicros);
    expect(stats.queueMicros.max).toBeLessThan(kDelayMicros);
  });

  it('the same holds when the caller sends the next request from a .then chain', async () => {
    let chain: Promise<unknown> = Promise.resolve();
    for (let request = 0; request < kRequests; request++) {
      chain = chain.then(() => model.infer({ x: new Tensor('float32', randomFloat32(256, 80 + request), [1, 256]) }));
    }
    await chain;
    const stats = model.stats();
    expect(stats.batchSizes).toEqual({ 1: kRequests });
    expect(stats.queueMicros.max).toBeLessThan(kDelayMicros);
  });
});
