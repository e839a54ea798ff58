// A model with preprocess and postprocess modules: both run in worker threads around the batched
// run, results match the model run directly, and a handler failing for one request fails only it.
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Model, Session, Tensor, WorkerPool } from '../../src/index.js';
import { expectInferlineError, expectRejects } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kHandlers = new URL('../fixtures/handlers/mlp-row.mjs', import.meta.url);
const kSession = { intraOpThreads: 1 } as const;

interface RowResult {
  y: number[];
  shape: number[];
  threadId: number;
  model: string;
}

let workers: WorkerPool;
let direct: Session;
let model: Model | undefined;

beforeAll(async () => {
  workers = new WorkerPool({ size: 2, name: 'handlers-test' });
  direct = await Session.create(generatedModel('mlp'), kSession);
});
afterAll(async () => {
  await workers.close();
  await direct.close();
});
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

function loadMlp(options: { instances?: number } = {}): Promise<Model> {
  return Model.load({
    name: 'mlp-handlers', path: generatedModel('mlp'), session: kSession, workers,
    instances: { count: options.instances ?? 1 }, batching: { maxBatchSize: 16 },
    preprocess: kHandlers, postprocess: kHandlers,
  });
}

async function expectedY(values: Float32Array): Promise<number[]> {
  const { y } = await direct.run({ x: new Tensor('float32', values, [1, values.length]) });
  return Array.from(y!.data as Float32Array);
}

describe('Model with preprocess and postprocess modules', () => {
  it('runs both off the main thread and returns what postprocess made of the model outputs', async () => {
    model = await loadMlp();
    const values = randomFloat32(256, 1);
    const result = await model.infer<RowResult>({ values: Array.from(values) });
    expect(result.threadId).not.toBe(threadId);
    expect(result.model).toBe('mlp-handlers');
    expect(result.shape).toEqual([1, 256]);
    expect(result.y).toEqual(await expectedY(values));
  });

  it('gives each of many concurrent (batched) requests its own result', async () => {
    model = await loadMlp();
    const rows = Array.from({ length: 24 }, (_, i) => randomFloat32(256, 100 + i));
    const results = await Promise.all(rows.map((values) => model!.infer<RowResult>({ values: Array.from(values) })));
    for (let i = 0; i < rows.length; i++) expect(results[i]!.y, `request ${i}`).toEqual(await expectedY(rows[i]!));
    const stats = model.stats();
    expect(stats.requests).toEqual({ success: 24, failure: 0 });
    // With one instance, requests that queue behind the first batch go out together.
    expect(stats.executions).toBeLessThan(24);
  });

  it('hands batch outputs to the postprocess worker without a copy once their shapes are known', async () => {
    model = await loadMlp();
    // Two rows per request: every output is over 1 KiB, so it is ONNX Runtime's own memory unless
    // inferline provides it.
    const request = (seed: number) => ({ values: Array.from(randomFloat32(512, seed)), rows: 2 });
    // The first batch of a signature runs with ONNX Runtime's memory, which Node 20 copies when
    // posting it to a worker; it teaches the output shapes.
    await model.infer<RowResult>(request(500));
    const copiedAfterFirst = workers.stats().copiedBytes;
    expect(copiedAfterFirst).toBeGreaterThan(0);
    // Later batches are written into SharedArrayBuffers, which cross to the worker shared.
    const requests = Array.from({ length: 6 }, (_, i) => request(600 + i));
    const results = await Promise.all(requests.map((r) => model!.infer<RowResult>(r)));
    for (let i = 0; i < requests.length; i++) {
      const { y } = await direct.run({ x: new Tensor('float32', Float32Array.from(requests[i]!.values), [2, 256]) });
      expect(results[i]!.y, `request ${i}`).toEqual(Array.from(y!.data as Float32Array));
      expect(results[i]!.shape).toEqual([2, 256]);
    }
    expect(workers.stats().copiedBytes).toBe(copiedAfterFirst);
  });

  it('fails only the request whose postprocess throws, with ERR_INFERLINE_HANDLER_FAILED', async () => {
    model = await loadMlp();
    const good = Array.from({ length: 6 }, (_, i) => Array.from(randomFloat32(256, 200 + i)));
    const bad = Array.from(randomFloat32(256, 300)).fill(Number.NaN, 0, 1);
    const settled = await Promise.allSettled([...good, bad].map((values) => model!.infer<RowResult>({ values })));
    for (let i = 0; i < good.length; i++) expect(settled[i]!.status, `request ${i}`).toBe('fulfilled');
    const failed = settled[good.length]!;
    expect(failed.status).toBe('rejected');
    expectInferlineError((failed as PromiseRejectedResult).reason, {
      code: 'ERR_INFERLINE_HANDLER_FAILED', kind: 'InferlineError', includes: ['mlp-row.mjs', 'NaN'],
    });
    expect(model.stats().requests).toEqual({ success: 6, failure: 1 });
  });

  it('fails a request whose preprocess input is wrong with the handler error, and keeps serving', async () => {
    model = await loadMlp();
    await expectRejects(() => model!.infer({ values: null }), { code: 'ERR_INFERLINE_HANDLER_FAILED', kind: 'InferlineError', includes: ['mlp-row.mjs'] });
    await expectRejects(() => model!.infer({ values: [1, 2, 3] }), { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['"x"', '256'] });
    const values = randomFloat32(256, 7);
    expect((await model.infer<RowResult>({ values: Array.from(values) })).y).toEqual(await expectedY(values));
  });

  it('unload waits for requests still in their postprocess handler', async () => {
    model = await loadMlp();
    const pending = Array.from({ length: 4 }, (_, i) => model!.infer<RowResult>({ values: Array.from(randomFloat32(256, 400 + i)) }));
    const unloaded = model.unload();
    const results = await Promise.all(pending);
    await unloaded;
    expect(results.every((result) => result.y.length === 256)).toBe(true);
    await expectRejects(() => model!.infer({ values: [] }), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError', includes: ['unloaded'] });
    model = undefined;
  });

  it('checks infer options before the preprocess runs: a bad one costs no worker task', async () => {
    model = await loadMlp();
    const before = workers.stats().tasks;
    await expectRejects(() => model!.infer({ values: [1] }, { priority: 5 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['priority'] });
    await expectRejects(() => model!.infer({ values: [1] }, { timeout: 5 } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"timeout"'] });
    expect(workers.stats().tasks).toBe(before);
  });

  it('moves the buffers listed in transfer to the preprocess worker, and refuses transfer without one', async () => {
    model = await loadMlp();
    const values = randomFloat32(256, 9);
    const moved = new Float32Array(values);
    const result = await model.infer<RowResult>({ values: moved }, { transfer: [moved.buffer as ArrayBuffer] });
    expect(moved.byteLength).toBe(0); // detached here: it went to the worker, not a copy of it
    expect(result.y).toEqual(await expectedY(values));
    const plain = await Model.load({ name: 'plain', path: generatedModel('mlp'), session: kSession, instances: { count: 1 } });
    try {
      await expectRejects(() => plain.infer({ x: new Tensor('float32', values, [1, 256]) }, { transfer: [new ArrayBuffer(8)] }), {
        code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "plain"', 'transfer', 'no preprocess module'],
      });
    } finally {
      await plain.unload();
    }
  });

  it('refuses a handler module that does not exist, or a workers option that is not a WorkerPool', async () => {
    await expectRejects(() => Model.load({ name: 'm', path: generatedModel('mlp'), preprocess: '/no/such/pre.mjs' }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "m"', 'preprocess', '/no/such/pre.mjs', 'does not exist'] },
    );
    await expectRejects(() => Model.load({ name: 'm', path: generatedModel('mlp'), postprocess: 'https://example.invalid/post.mjs' }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "m"', 'postprocess', 'file: URL'] },
    );
    await expectRejects(() => Model.load({ name: 'm', path: generatedModel('mlp'), workers: {} as never }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "m"', 'workers', 'WorkerPool'] },
    );
  });
});
