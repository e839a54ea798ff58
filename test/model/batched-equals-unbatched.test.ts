// Batching must be invisible in the results: whatever batch a request lands in, whatever its
// priority and whatever else is in the batch, its outputs are those of a plain run on its own
// input. Every caller has a different input, so a result handed to the wrong caller, rows
// sliced at the wrong offset, or two shapes merged into one batch all show up as a mismatch with
// Session.runSync on that caller's input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Session, Tensor, type Results } from '../../src/index.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

// One intra-op thread: ONNX Runtime is then deterministic, and its MLAS kernels compute each row
// the same way whatever the batch size (checked: MLP and PP-OCR cls are bit-identical between a
// batch of 64 or 8 and single rows), so outputs are compared bit for bit.
const kSession = { intraOpThreads: 1 } as const;
const kCallers = 64;

function batchSizesAbove1(batchSizes: Record<number, number>): number[] {
  return Object.keys(batchSizes).map(Number).filter((size) => size > 1);
}

/** Starts every caller in the same tick, so that all but the first ones meet in the queue. */
function inferAll(model: Model, feeds: Array<Record<string, Tensor>>, priorities: number[]): Promise<Results[]> {
  return Promise.all(feeds.map((feed, caller) => model.infer(feed, { priority: priorities[caller]! })));
}

describe('MLP: 64 concurrent callers, rows 1 to 3, three priorities, two instances', () => {
  let model: Model;
  let reference: Session;
  beforeAll(async () => {
    model = await Model.load({
      name: 'mlp',
      path: generatedModel('mlp'),
      session: kSession,
      instances: { count: 2 },
      batching: { maxBatchSize: 64, priorityLevels: 3 },
    });
    reference = await Session.create(generatedModel('mlp'), kSession);
  });
  afterAll(async () => {
    await model.unload();
    await reference.close();
  });

  it('every caller gets the output of its own input, bit for bit, and batches of more than one ran', async () => {
    const feeds = Array.from({ length: kCallers }, (_, caller) => {
      const rows = 1 + (caller % 3);
      return { x: new Tensor('float32', randomFloat32(rows * 256, 100 + caller), [rows, 256]) };
    });
    const priorities = feeds.map((_, caller) => (caller * 7) % 3);
    const results = await inferAll(model, feeds, priorities);
    results.forEach((result, caller) => {
      expect(Object.keys(result)).toEqual(['y']);
      expectSameTensor(result['y']!, reference.runSync(feeds[caller]!)['y']!, `caller ${caller}`);
    });

    const stats = model.stats();
    expect(batchSizesAbove1(stats.batchSizes).length, JSON.stringify(stats.batchSizes)).toBeGreaterThan(0);
    const rows = feeds.reduce((sum, feed) => sum + feed.x.shape[0]!, 0);
    expect(stats.requests).toEqual({ success: kCallers, failure: 0 });
    expect(stats.inferences).toBe(rows);
    // Batches count by rows: the histogram accounts for every row run, and for every ORT call.
    expect(Object.entries(stats.batchSizes).reduce((sum, [size, count]) => sum + Number(size) * count, 0)).toBe(rows);
    expect(Object.values(stats.batchSizes).reduce((sum, count) => sum + count, 0)).toBe(stats.executions);
    expect(stats.executions).toBeLessThan(kCallers);
    expect(stats.queueDepth).toBe(0);
    expect(stats.queuedRows).toBe(0);
  });

  it('a request of 0 rows resolves with an empty output, alone or among others', async () => {
    const empty = { x: new Tensor('float32', new Float32Array(0), [0, 256]) };
    const feeds = [empty, { x: new Tensor('float32', randomFloat32(256, 5), [1, 256]) }, empty, { x: new Tensor('float32', randomFloat32(512, 6), [2, 256]) }];
    const results = await inferAll(model, feeds, [1, 1, 1, 1]);
    results.forEach((result, caller) => expectSameTensor(result['y']!, reference.runSync(feeds[caller]!)['y']!, `caller ${caller}`));
    expect(results[0]!['y']!.shape).toEqual([0, 256]);
  });
});

describe('PP-OCR cls: 64 concurrent callers, widths 192 and 160 never merged', () => {
  let model: Model;
  let reference: Session;
  beforeAll(async () => {
    model = await Model.load({
      name: 'cls',
      path: kRealModels.ocrCls,
      session: kSession,
      instances: { count: 2 },
      batching: { maxBatchSize: 8, priorityLevels: 2 },
    });
    reference = await Session.create(kRealModels.ocrCls, kSession);
  });
  afterAll(async () => {
    await model.unload();
    await reference.close();
  });

  it('every caller gets the output of its own input, bit for bit', async () => {
    // The model takes [N,3,48,W]; W 192 and 160 both load and run (checked), and rows of
    // different widths cannot share a tensor: a mixed batch would fail or mix up rows.
    const feeds = Array.from({ length: kCallers }, (_, caller) => {
      const width = caller % 2 === 0 ? 192 : 160;
      return { x: new Tensor('float32', randomFloat32(3 * 48 * width, 500 + caller), [1, 3, 48, width]) };
    });
    const priorities = feeds.map((_, caller) => (caller >> 2) % 2);
    const results = await inferAll(model, feeds, priorities);
    const output = model.outputs[0]!.name;
    results.forEach((result, caller) => {
      expectSameTensor(result[output]!, reference.runSync(feeds[caller]!)[output]!, `caller ${caller}`);
    });
    const stats = model.stats();
    expect(batchSizesAbove1(stats.batchSizes).length, JSON.stringify(stats.batchSizes)).toBeGreaterThan(0);
    expect(Math.max(...Object.keys(stats.batchSizes).map(Number))).toBeLessThanOrEqual(8);
    expect(stats.requests).toEqual({ success: kCallers, failure: 0 });
  });
});

describe('identity [N,M]: requests with M 4 and M 8 are batched only with their own kind', () => {
  let model: Model;
  beforeAll(async () => {
    model = await Model.load({
      name: 'identity',
      path: generatedModel('identity-float32'),
      session: kSession,
      instances: { count: 1 },
      batching: { maxBatchSize: 16, priorityLevels: 3 },
    });
  });
  afterAll(() => model.unload());

  it('each output keeps its own M and its own values', async () => {
    const feeds = Array.from({ length: kCallers }, (_, caller) => {
      const rows = 1 + (caller % 2);
      const width = caller % 3 === 0 ? 8 : 4;
      return { x: new Tensor('float32', randomFloat32(rows * width, 900 + caller), [rows, width]) };
    });
    const results = await inferAll(model, feeds, feeds.map((_, caller) => caller % 3));
    results.forEach((result, caller) => expectSameTensor(result['y']!, feeds[caller]!.x, `caller ${caller}`));
    const stats = model.stats();
    expect(batchSizesAbove1(stats.batchSizes).length, JSON.stringify(stats.batchSizes)).toBeGreaterThan(0);
    expect(Math.max(...Object.keys(stats.batchSizes).map(Number))).toBeLessThanOrEqual(16);
  });
});

describe('multi-io (two inputs, two outputs): each request gets its own slice of both outputs', () => {
  let model: Model;
  let reference: Session;
  beforeAll(async () => {
    model = await Model.load({ name: 'multi-io', path: generatedModel('multi-io'), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 32 } });
    reference = await Session.create(generatedModel('multi-io'), kSession);
  });
  afterAll(async () => {
    await model.unload();
    await reference.close();
  });

  it('sum and prod match a plain run for every caller', async () => {
    const feeds = Array.from({ length: 32 }, (_, caller) => {
      const rows = 1 + (caller % 3);
      return {
        a: new Tensor('float32', randomFloat32(rows * 4, 1300 + caller), [rows, 4]),
        b: new Tensor('float32', randomFloat32(rows * 4, 1400 + caller), [rows, 4]),
      };
    });
    const results = await Promise.all(feeds.map((feed) => model.infer(feed)));
    results.forEach((result, caller) => {
      const expected = reference.runSync(feeds[caller]!);
      expect(Object.keys(result).sort()).toEqual(['prod', 'sum']);
      expectSameTensor(result['sum']!, expected['sum']!, `caller ${caller} sum`);
      expectSameTensor(result['prod']!, expected['prod']!, `caller ${caller} prod`);
    });
    expect(batchSizesAbove1(model.stats().batchSizes).length).toBeGreaterThan(0);
  });
});
