// Model.load({ cache }): results come from the cache when every input's name, dtype, shape and
// bytes match a stored request; identical requests in flight run once; the cache is the model's
// own and goes with unload.
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Model, Session, Tensor, WorkerPool, type Results } from '../../src/index.js';
import { expectRejects } from '../helpers/expect-error.js';
import { mlpFeeds } from '../helpers/mlp-feeds.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kSession = { intraOpThreads: 1 } as const;
const kCache = { maxBytes: 1 << 20 } as const;
const kHandlers = new URL('../fixtures/handlers/mlp-row.mjs', import.meta.url);

let direct: Session;
let workers: WorkerPool;
let model: Model | undefined;
beforeAll(async () => {
  direct = await Session.create(generatedModel('mlp'), kSession);
  workers = new WorkerPool({ size: 1, name: 'cache-test' });
});
afterAll(async () => {
  await direct.close();
  await workers.close();
});
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

const values = (results: Results): number[] => Array.from(results['y']!.data as Float32Array);

async function expected(feeds: { x: Tensor }): Promise<number[]> {
  return values(await direct.run(feeds));
}

describe('Model with a result cache', () => {
  it('answers a repeated request from the cache with the same outputs, and misses on any change', async () => {
    model = await Model.load({ name: 'mlp-cached', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, cache: kCache });
    const feeds = mlpFeeds(1, 1);
    const first = await model.infer(feeds);
    const second = await model.infer(mlpFeeds(1, 1)); // equal bytes in other buffers
    expect(values(second)).toEqual(values(first));
    expect(values(first)).toEqual(await expected(feeds));
    expect(model.stats().cache).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(model.stats().executions).toBe(1);

    const changed = mlpFeeds(1, 1);
    (changed.x.data as Float32Array)[255] += 1;
    expect(values(await model.infer(changed))).toEqual(await expected(changed));
    const twoRows = mlpFeeds(2, 1); // a different shape
    await model.infer(twoRows);
    expect(model.stats().cache).toMatchObject({ hits: 1, misses: 3, entries: 3 });
    expect(model.stats().requests).toEqual({ success: 4, failure: 0 });
  });

  it('gives each hit its own copy: changing one result does not change the next', async () => {
    model = await Model.load({ name: 'mlp-cached', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, cache: kCache });
    const feeds = mlpFeeds(1, 2);
    const truth = await expected(feeds);
    (await model.infer(feeds))['y']!.data.fill(0);
    const hit = await model.infer(feeds);
    hit['y']!.data.fill(0);
    expect(values(await model.infer(feeds))).toEqual(truth);
    expect(model.stats().cache!.hits).toBe(2);
  });

  it('runs identical concurrent requests once (single-flight) and answers all of them', async () => {
    model = await Model.load({ name: 'mlp-cached', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, cache: kCache });
    const results = await Promise.all(Array.from({ length: 8 }, () => model!.infer(mlpFeeds(1, 3))));
    const truth = await expected(mlpFeeds(1, 3));
    for (const result of results) expect(values(result)).toEqual(truth);
    expect(model.stats().executions).toBe(1);
    expect(model.stats().cache).toMatchObject({ misses: 1, coalesced: 7, hits: 0 });
    expect(model.stats().requests.success).toBe(8);
  });

  it('serves the others of a flight whose leader was aborted, and stores nothing the leader lost', async () => {
    model = await Model.load({ name: 'slow-cached', path: generatedModel('slow'), session: kSession, instances: { count: 1 }, cache: { maxBytes: 16 << 20 } });
    const slowFeeds = (seed: number) => ({ x: new Tensor('float32', randomFloat32(64 * 512, seed), [64, 512]) });
    const blocker = model.infer(slowFeeds(1)); // holds the only instance
    const controller = new AbortController();
    const leader = model.infer(slowFeeds(2), { signal: controller.signal });
    const joiner = model.infer(slowFeeds(2));
    controller.abort();
    await expectRejects(() => leader, { code: 'ERR_INFERLINE_ABORTED', kind: 'AbortError', includes: ['slow-cached'] });
    const [joined] = await Promise.all([joiner, blocker]);
    const slowDirect = await Session.create(generatedModel('slow'), kSession);
    try {
      expect(values(joined)).toEqual(values(await slowDirect.run(slowFeeds(2))));
    } finally {
      await slowDirect.close();
    }
    expect(model.stats().executions).toBe(2);
  });

  it('stores the model outputs and runs postprocess for every caller, hits and joiners included', async () => {
    model = await Model.load({
      name: 'mlp-cached-post', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, cache: kCache,
      workers, preprocess: kHandlers, postprocess: kHandlers,
    });
    const row = Array.from(randomFloat32(256, 4));
    const truth = await expected({ x: new Tensor('float32', Float32Array.from(row), [1, 256]) });
    const results = await Promise.all(Array.from({ length: 4 }, () => model!.infer<{ y: number[]; threadId: number }>({ values: row })));
    const hit = await model.infer<{ y: number[]; threadId: number }>({ values: row });
    for (const result of [...results, hit]) {
      expect(result.y).toEqual(truth);
      expect(result.threadId).not.toBe(threadId);
    }
    expect(model.stats().executions).toBe(1);
    // Preprocess runs per request (in the worker), so the four concurrent requests reach the
    // cache one by one: whether they join the first or hit what it stored depends on timing.
    const cache = model.stats().cache!;
    expect(cache.misses).toBe(1);
    expect(cache.hits + cache.coalesced).toBe(4);
  });

  it('drops its entries when the model is unloaded', async () => {
    model = await Model.load({ name: 'mlp-cached', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, cache: kCache });
    await model.infer(mlpFeeds(1, 5));
    expect(model.stats().cache!.entries).toBe(1);
    await model.unload();
    expect(model.stats().cache).toMatchObject({ entries: 0, bytes: 0 });
    model = undefined;
  });

  it('refuses bad cache options with the option named', async () => {
    await expectRejects(() => Model.load({ name: 'm', path: generatedModel('mlp'), cache: { maxBytes: -1 } }), {
      code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['Model "m" cache', 'maxBytes'],
    });
    await expectRejects(() => Model.load({ name: 'm', path: generatedModel('mlp'), cache: { maxBytes: 1024, ttl: 5 } as never }), {
      code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"ttl"', 'ttlMs'],
    });
  });
});
