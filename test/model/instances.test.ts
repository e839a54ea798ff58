// Instance groups: several sessions of one model, each running one batch at a time, picked by the
// balancing policy; and the models that run requests one by one (batching: false, or a model with
// no free first dimension, which also warns).
import { availableParallelism } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Model, Session, Tensor, type BalancingPolicy, type ModelOptions } from '../../src/index.js';
import { fixedShapeModel } from '../fixtures/models.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';
import { mlpFeeds } from '../helpers/mlp-feeds.js';

const kSession = { intraOpThreads: 1 } as const;

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

/**
 * Lets instances freed by the last batch be released: that happens on the tick after its
 * callers resume (so that callers who resubmit join the next batch), not within their await.
 */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function load(options: Omit<ModelOptions, 'name' | 'path'> & { path?: string }): Promise<Model> {
  model = await Model.load({ name: 'mlp', path: generatedModel('mlp'), session: kSession, ...options });
  return model;
}

/** A warning with `code`, emitted from now on (process.emitWarning emits on a later tick). */
function nextWarning(code: string): Promise<Error & { code?: string }> {
  return new Promise((resolve) => {
    const listener = (warning: Error & { code?: string }): void => {
      if (warning.code !== code) return;
      process.off('warning', listener);
      resolve(warning);
    };
    process.on('warning', listener);
  });
}

/** 32 concurrent callers with rows 1 to 3; each must get the output of its own input. */
async function expectServesCorrectly(target: Model, firstSeed: number): Promise<void> {
  const feeds = Array.from({ length: 32 }, (_, caller) => mlpFeeds(1 + (caller % 3), firstSeed + caller));
  const results = await Promise.all(feeds.map((feed) => target.infer(feed)));
  results.forEach((result, caller) => expectSameTensor(result['y']!, reference.runSync(feeds[caller]!)['y']!, `caller ${caller}`));
}

describe('instance count', () => {
  it('count 2: two instances, and two batches run at once', async () => {
    const mlp = await load({ instances: { count: 2 }, batching: { maxBatchSize: 8 } });
    expect(mlp.stats().instances).toMatchObject({ count: 2, loading: 0, busy: 0, scaleUps: 0, scaleDowns: 0 });
    const first = mlp.infer(mlpFeeds(1, 1));
    const second = mlp.infer(mlpFeeds(1, 2));
    const third = mlp.infer(mlpFeeds(1, 3));
    // The first two each found an idle instance; the third waits for one of them.
    expect(mlp.stats().instances.busy).toBe(2);
    expect(mlp.stats().queueDepth).toBe(1);
    await Promise.all([first, second, third]);
    await settled();
    expect(mlp.stats().instances).toMatchObject({ count: 2, busy: 0 });
  });

  it('without instances options, one instance per CPU core plus one', async () => {
    const mlp = await Model.load({ name: 'mlp', path: generatedModel('mlp'), batching: { maxBatchSize: 8 } });
    model = mlp;
    expect(mlp.stats().instances.count).toBe(availableParallelism() + 1);
    await expectServesCorrectly(mlp, 50);
  });

  it('min alone sets the starting count', async () => {
    const mlp = await load({ instances: { min: 2, max: 3 }, batching: { maxBatchSize: 8 } });
    expect(mlp.stats().instances.count).toBe(2);
  });

  it('instances × intraOpThreads above the cores warns INFERLINE_THREADS_OVERSUBSCRIBED', async () => {
    const warning = nextWarning('INFERLINE_THREADS_OVERSUBSCRIBED');
    await load({ session: { intraOpThreads: availableParallelism() }, instances: { count: 2 }, batching: { maxBatchSize: 8 } });
    expect((await warning).message).toContain('Model "mlp"');
  });
});

describe('balancing policies', () => {
  const policies: BalancingPolicy[] = ['least-outstanding', 'round-robin', 'random'];
  it.each(policies)('%s: 32 concurrent callers on 2 instances all get their own outputs', async (policy) => {
    const mlp = await load({ instances: { count: 2, policy }, batching: { maxBatchSize: 16 } });
    await expectServesCorrectly(mlp, 100);
    await settled();
    // Both instances took work: the first two requests each started on one.
    const first = mlp.infer(mlpFeeds(1, 1));
    const second = mlp.infer(mlpFeeds(1, 2));
    expect(mlp.stats().instances.busy).toBe(2);
    await Promise.all([first, second]);
    expect(mlp.stats().requests).toEqual({ success: 34, failure: 0 });
  });
});

describe('one request per run', () => {
  it('batching: false runs every request alone, whatever its rows', async () => {
    const mlp = await load({ instances: { count: 1 }, batching: false });
    expect(mlp.batching).toBe(false);
    await expectServesCorrectly(mlp, 200);
    const stats = mlp.stats();
    // One execution per request; a request's rows (its dim 0) are its batch size.
    expect(Object.values(stats.batchSizes).reduce((a, b) => a + b, 0)).toBe(32);
    expect(stats.executions).toBe(32);
    expect(stats.requests).toEqual({ success: 32, failure: 0 });
  });

  it('batching omitted is batching: false', async () => {
    const mlp = await load({ instances: { count: 1 } });
    expect(mlp.batching).toBe(false);
    await expectServesCorrectly(mlp, 300);
    expect(mlp.stats().executions).toBe(32);
  });

  it('a model without a batch dimension warns INFERLINE_NO_BATCH_DIMENSION and runs requests one by one', async () => {
    const warning = nextWarning('INFERLINE_NO_BATCH_DIMENSION');
    const fixed = await Model.load({ name: 'fixed', bytes: fixedShapeModel(), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 8 } });
    model = fixed;
    expect((await warning).message).toContain('Model "fixed"');
    expect(fixed.batching).toBe(false);
    const inputs = Array.from({ length: 6 }, (_, caller) => randomFloat32(6, 400 + caller));
    const results = await Promise.all(inputs.map((data) => fixed.infer({ x: new Tensor('float32', data, [2, 3]) })));
    results.forEach((result, caller) => {
      expect(result['y']!.shape).toEqual([2, 3]);
      expect(Array.from(result['y']!.data as Float32Array)).toEqual(Array.from(inputs[caller]!, (value) => value * 2));
    });
    expect(fixed.stats().batchSizes).toEqual({ 1: 6 });
    expect(fixed.stats().executions).toBe(6);
  });

  it('a batchable model with batching on does not warn', async () => {
    const warnings: string[] = [];
    const listener = (warning: Error & { code?: string }): void => void warnings.push(String(warning.code));
    process.on('warning', listener);
    try {
      await load({ instances: { count: 1 }, batching: { maxBatchSize: 8 } });
      // emitWarning emits from process.nextTick: after one turn of the event loop it has fired.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).not.toContain('INFERLINE_NO_BATCH_DIMENSION');
  });
});
