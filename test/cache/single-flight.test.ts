// Single-flight: identical requests made while one computes wait for it instead of computing
// again; all get its result, or all reject with its error, which stores nothing. The compute is
// held open by a promise the test settles, so "concurrent" never depends on timing.
import { describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/cache/result-cache.js';
import { InferlineError, Tensor } from '../../src/index.js';
import { errors } from '../../src/errors.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kIdentity = { model: 'm', version: '1' };
const kCallers = 8;

/** A compute the test finishes by hand, counting how often it was started. */
function heldCompute(): { starts: number; compute: () => Promise<Record<string, Tensor>>; resolve: (outputs: Record<string, Tensor>) => void; reject: (error: unknown) => void } {
  let settle: { resolve: (outputs: Record<string, Tensor>) => void; reject: (error: unknown) => void } | undefined;
  const held = {
    starts: 0,
    compute: () => {
      held.starts++;
      return new Promise<Record<string, Tensor>>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    resolve: (outputs: Record<string, Tensor>) => settle!.resolve(outputs),
    reject: (error: unknown) => settle!.reject(error),
  };
  return held;
}

/** Fresh but identical feeds for caller `i` (each caller builds its own tensors). */
const feedsFor = (seed: number): Record<string, Tensor> => ({ x: new Tensor('float32', randomFloat32(256, seed), [1, 256]) });

describe('single-flight', () => {
  it(`${kCallers} identical concurrent requests run compute once and all get its outputs`, async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const held = heldCompute();
    const calls = Array.from({ length: kCallers }, () => cache.run(feedsFor(1), held.compute));
    expect(cache.stats()).toMatchObject({ inflight: 1, misses: 1, coalesced: kCallers - 1 });
    const computed = { y: new Tensor('float32', Float32Array.of(1, 2, 3), [3]) };
    held.resolve(computed);
    const results = await Promise.all(calls);
    expect(held.starts).toBe(1);
    expect(results[0]).toBe(computed);
    for (const result of results.slice(1)) {
      expect([...(result.y!.data as Float32Array)]).toEqual([1, 2, 3]);
      expect(result.y!.data).not.toBe(computed.y.data); // each its own copy
    }
    expect(new Set(results.map((r) => r.y!.data)).size).toBe(kCallers);
    expect(cache.stats()).toMatchObject({ inflight: 0, entries: 1 });
    await cache.run(feedsFor(1), held.compute);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, coalesced: kCallers - 1 });
  });

  it('when compute fails, every caller rejects with its error and nothing is stored', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const held = heldCompute();
    const calls = Array.from({ length: kCallers }, () => cache.run(feedsFor(2), held.compute));
    const failure = errors.ort('Session "m" run: ONNX Runtime: kernel failed', 6);
    held.reject(failure);
    const outcomes = await Promise.allSettled(calls);
    expect(held.starts).toBe(1);
    const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as InferlineError) : expect.fail('must reject')));
    expect(reasons[0]).toBe(failure);
    for (const reason of reasons.slice(1)) {
      expect(reason).toBeInstanceOf(InferlineError);
      expect(reason.code).toBe('ERR_INFERLINE_ORT');
      expect(reason.ortCode).toBe(6);
      expect(reason.message).toBe(failure.message);
      expect(reason.cause).toBe(failure); // a copy each, so that one caller's stack is its own
    }
    expect(cache.stats()).toMatchObject({ entries: 0, inflight: 0 });
    // Nothing was stored: the next request computes again.
    const retry = heldCompute();
    const next = cache.run(feedsFor(2), retry.compute);
    retry.resolve({ y: new Tensor('float32', Float32Array.of(9), [1]) });
    expect([...((await next).y!.data as Float32Array)]).toEqual([9]);
    expect(retry.starts).toBe(1);
  });

  it('a compute that throws synchronously rejects every caller the same way', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const failure = new Error('thrown before any await');
    const compute = () => {
      throw failure;
    };
    const outcomes = await Promise.allSettled([cache.run(feedsFor(3), compute), cache.run(feedsFor(3), compute)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBe(failure);
    expect(cache.stats()).toMatchObject({ entries: 0, inflight: 0 });
  });

  it('different requests in flight at once each compute', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const first = heldCompute();
    const second = heldCompute();
    const a = cache.run(feedsFor(4), first.compute);
    const b = cache.run(feedsFor(5), second.compute);
    expect(cache.stats()).toMatchObject({ inflight: 2, misses: 2, coalesced: 0 });
    first.resolve({ y: new Tensor('int32', Int32Array.of(4), [1]) });
    second.resolve({ y: new Tensor('int32', Int32Array.of(5), [1]) });
    expect([(await a).y!.data[0], (await b).y!.data[0]]).toEqual([4, 5]);
    expect(first.starts + second.starts).toBe(2);
  });

  it('requests after clear() do not join a computation started before it', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const before = heldCompute();
    const after = heldCompute();
    const old = cache.run(feedsFor(6), before.compute);
    cache.clear();
    const fresh = cache.run(feedsFor(6), after.compute);
    expect(after.starts).toBe(1);
    before.resolve({ y: new Tensor('int32', Int32Array.of(1), [1]) });
    after.resolve({ y: new Tensor('int32', Int32Array.of(2), [1]) });
    expect([(await old).y!.data[0], (await fresh).y!.data[0]]).toEqual([1, 2]);
    const found = cache.lookup(feedsFor(6));
    expect(found.hit && found.outputs.y!.data[0]).toBe(2); // only the computation after clear() was kept
  });
});
