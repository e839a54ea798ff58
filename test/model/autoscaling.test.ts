// Autoscaling between min and max: while requests stay queued the group adds instances (never
// above max); once the load is gone, instances idle for scaleDownIdleMs are removed (never below
// min). Scaling must never drop or fail a request.
//
// The load is scripted, not timed: 12 requests of slow.onnx on [512,512] (about 100 ms each with
// one intra-op thread), one request per run (batching: false), all sent in one tick. The queue
// then holds 11 requests when the first starts, which with scaleUpQueueRows 0 and scaleUpAfterMs 0
// asks for a new instance at once; the test waits (vi.waitFor) for the count to rise and to come
// back, and samples it on every completion and on a 1 ms interval in between.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Model, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kMin = 1;
const kMax = 3;
const kRequests = 12;

let model: Model | undefined;
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

function slowFeeds(seed: number): { x: Tensor } {
  return { x: new Tensor('float32', randomFloat32(512 * 512, seed), [512, 512]) };
}

/**
 * Samples stats().instances.count every millisecond or so until stopped (a sampler, not a wait:
 * nothing waits on it, and a timer rather than setImmediate keeps it from spinning a core).
 */
function sampleCounts(target: Model): { counts: number[]; stop: () => void } {
  const counts: number[] = [target.stats().instances.count];
  const timer = setInterval(() => counts.push(target.stats().instances.count), 1);
  return { counts, stop: () => clearInterval(timer) };
}

describe('autoscaling { min: 1, max: 3 } on the slow model', () => {
  it('scales up under a queue, serves every request, then scales back to min', async () => {
    model = await Model.load({
      name: 'slow',
      path: generatedModel('slow'),
      session: { intraOpThreads: 1 },
      instances: { min: kMin, max: kMax, scaleUpQueueRows: 0, scaleUpAfterMs: 0, scaleDownIdleMs: 50 },
      batching: false,
    });
    const slow = model;
    expect(slow.stats().instances.count).toBe(kMin);
    const sampler = sampleCounts(slow);

    const requests = Array.from({ length: kRequests }, (_, index) =>
      slow.infer(slowFeeds(index)).then((result) => {
        sampler.counts.push(slow.stats().instances.count);
        return result;
      }),
    );
    await vi.waitFor(() => expect(slow.stats().instances.count).toBeGreaterThan(kMin), { timeout: 60_000, interval: 5 });
    const results = await Promise.all(requests);
    for (const result of results) expect(result['y']!.shape).toEqual([512, 512]);

    await vi.waitFor(() => expect(slow.stats().instances.count).toBe(kMin), { timeout: 60_000, interval: 10 });
    sampler.stop();

    const stats = slow.stats();
    expect(stats.requests).toEqual({ success: kRequests, failure: 0 });
    expect(stats.executions).toBe(kRequests);
    expect(stats.failedExecutions).toBe(0);
    expect(stats.instances.scaleUps).toBeGreaterThanOrEqual(1);
    expect(stats.instances.scaleUps).toBeLessThanOrEqual(kMax - kMin + stats.instances.scaleDowns);
    expect(stats.instances.scaleDowns).toBe(stats.instances.scaleUps); // back where it started
    expect(Math.max(...sampler.counts)).toBeGreaterThan(kMin);
    expect(Math.max(...sampler.counts)).toBeLessThanOrEqual(kMax);
    expect(Math.min(...sampler.counts)).toBeGreaterThanOrEqual(kMin);

    // Scaled back down, it still serves.
    await expect(slow.infer(slowFeeds(99))).resolves.toHaveProperty('y');
  });

  it('never scales above max, even when the queue stays long', async () => {
    model = await Model.load({
      name: 'slow',
      path: generatedModel('slow'),
      session: { intraOpThreads: 1 },
      instances: { min: 1, max: 2, scaleUpQueueRows: 0, scaleUpAfterMs: 0, scaleDownIdleMs: 10_000 },
      batching: false,
    });
    const slow = model;
    const sampler = sampleCounts(slow);
    const requests = Array.from({ length: kRequests }, (_, index) => slow.infer(slowFeeds(100 + index)));
    await vi.waitFor(() => expect(slow.stats().instances.count).toBe(2), { timeout: 60_000, interval: 5 });
    await Promise.all(requests);
    sampler.stop();
    expect(Math.max(...sampler.counts)).toBe(2);
    const stats = slow.stats();
    expect(stats.instances.scaleUps).toBe(1);
    expect(stats.instances.loading).toBe(0);
    expect(stats.requests).toEqual({ success: kRequests, failure: 0 });
  });

  it('unload while an instance is being added still serves every queued request', async () => {
    model = await Model.load({
      name: 'slow',
      path: generatedModel('slow'),
      session: { intraOpThreads: 1 },
      instances: { min: 1, max: 3, scaleUpQueueRows: 0, scaleUpAfterMs: 0, scaleDownIdleMs: 50 },
      batching: false,
    });
    const slow = model;
    const requests = Array.from({ length: 4 }, (_, index) => slow.infer(slowFeeds(200 + index)));
    // The queue of 3 asked for an instance inside infer(); unload at once, while it loads.
    expect(slow.stats().instances.loading).toBe(1);
    const unloaded = slow.unload();
    const results = await Promise.all(requests);
    expect(results).toHaveLength(4);
    await unloaded;
    expect(slow.stats().requests).toEqual({ success: 4, failure: 0 });
  });
});
