// Model.load and model.infer check every option before anything loads or queues, each failure
// with its code and a message naming the option; infer() after unload() is refused; unload()
// serves what is queued first and is idempotent. Both are async APIs: they reject, never throw.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Tensor, type ModelOptions } from '../../src/index.js';
import { type ExpectedError, expectRejects } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { mlpFeeds } from '../helpers/mlp-feeds.js';

const kMlp = generatedModel('mlp');
const kSession = { intraOpThreads: 1 } as const;

const invalid = (kind: 'TypeError' | 'RangeError', includes: string[]): ExpectedError => ({ code: 'ERR_INFERLINE_INVALID_ARG', kind, includes });
const unknown = (includes: string[]): ExpectedError => ({ code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes });

describe('Model.load rejects bad options', () => {
  const cases: Array<[string, unknown, ExpectedError]> = [
    ['options not an object', 'mlp.onnx', invalid('TypeError', ['Model.load', 'options must be an object', 'string'])],
    ['null options', null, invalid('TypeError', ['Model.load', 'null'])],
    ['no name', { path: kMlp }, invalid('TypeError', ['name must be a non-empty string', 'undefined'])],
    ['empty name', { name: '', path: kMlp }, invalid('TypeError', ['name must be a non-empty string'])],
    ['neither path nor bytes', { name: 'm' }, invalid('TypeError', ['Model "m"', 'exactly one of path and bytes'])],
    ['both path and bytes', { name: 'm', path: kMlp, bytes: new Uint8Array(4) }, invalid('TypeError', ['Model "m"', 'exactly one of path and bytes'])],
    ['path not a string', { name: 'm', path: 42 }, invalid('TypeError', ['Model "m"', 'path', 'number 42'])],
    ['bytes not a Uint8Array', { name: 'm', bytes: [1, 2, 3] }, invalid('TypeError', ['Model "m"', 'bytes must be a Uint8Array', 'an array'])],
    ['bad version', { name: 'm', path: kMlp, version: -1 }, invalid('TypeError', ['Model "m"', 'version', 'number -1'])],
    ['misspelt top-level option', { name: 'm', path: kMlp, batchng: { maxBatchSize: 4 } }, unknown(['Model.load', 'unknown option "batchng"', 'did you mean "batching"?'])],
    ['misspelt batching option', { name: 'm', path: kMlp, batching: { maxBatchSise: 4 } }, unknown(['Model "m".batching', '"maxBatchSise"', 'did you mean "maxBatchSize"?'])],
    ['misspelt instances option', { name: 'm', path: kMlp, instances: { polcy: 'random' } }, unknown(['Model "m".instances', '"polcy"', 'did you mean "policy"?'])],
    ['unknown option with no close match', { name: 'm', path: kMlp, batching: { maxBatchSize: 4, zzzzzzzzzzzz: 1 } }, unknown(['"zzzzzzzzzzzz"', 'known options:', 'maxQueueDelayMicros'])],
    ['batching not an object', { name: 'm', path: kMlp, batching: true }, invalid('TypeError', ['Model "m".batching must be an object or false', 'boolean true'])],
    ['maxBatchSize missing', { name: 'm', path: kMlp, batching: {} }, invalid('TypeError', ['maxBatchSize must be an integer', 'undefined'])],
    ['maxBatchSize 0', { name: 'm', path: kMlp, batching: { maxBatchSize: 0 } }, invalid('RangeError', ['Model "m".batching.maxBatchSize', 'from 1', 'number 0'])],
    ['maxBatchSize 2.5', { name: 'm', path: kMlp, batching: { maxBatchSize: 2.5 } }, invalid('RangeError', ['maxBatchSize', 'number 2.5'])],
    ['maxBatchSize NaN', { name: 'm', path: kMlp, batching: { maxBatchSize: Number.NaN } }, invalid('RangeError', ['maxBatchSize', 'NaN'])],
    ['preferredBatchSizes not an array', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, preferredBatchSizes: 4 } }, invalid('TypeError', ['preferredBatchSizes must be an array'])],
    ['a preferred size above maxBatchSize', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, preferredBatchSizes: [4, 16] } }, invalid('RangeError', ['preferredBatchSizes[1]', 'from 1 to 8', 'number 16'])],
    ['negative maxQueueDelayMicros', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, maxQueueDelayMicros: -1 } }, invalid('RangeError', ['maxQueueDelayMicros', 'number -1'])],
    ['maxQueueSize 0', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, maxQueueSize: 0 } }, invalid('RangeError', ['maxQueueSize', 'number 0'])],
    ['defaultTimeoutMicros 0', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, defaultTimeoutMicros: 0 } }, invalid('RangeError', ['defaultTimeoutMicros', 'number 0'])],
    ['timeoutAction unknown', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, timeoutAction: 'drop' } }, invalid('TypeError', ['timeoutAction', "'reject' or 'delay'", 'string "drop"'])],
    ['priorityLevels 0', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, priorityLevels: 0 } }, invalid('RangeError', ['priorityLevels', 'number 0'])],
    ['defaultPriority outside the levels', { name: 'm', path: kMlp, batching: { maxBatchSize: 8, priorityLevels: 2, defaultPriority: 2 } }, invalid('RangeError', ['defaultPriority', 'from 0 to 1', 'number 2'])],
    ['instances not an object', { name: 'm', path: kMlp, instances: 2 }, invalid('TypeError', ['Model "m".instances', 'number 2'])],
    ['instances.count 0', { name: 'm', path: kMlp, instances: { count: 0 } }, invalid('RangeError', ['instances.count', 'number 0'])],
    ['min above max', { name: 'm', path: kMlp, instances: { min: 3, max: 2 } }, invalid('RangeError', ['Model "m".instances', 'min (3)', 'max (2)'])],
    ['count outside min..max', { name: 'm', path: kMlp, instances: { count: 5, min: 1, max: 3 } }, invalid('RangeError', ['instances.count (5)', 'min (1)', 'max (3)'])],
    ["policy 'fastest'", { name: 'm', path: kMlp, instances: { policy: 'fastest' } }, invalid('TypeError', ['instances.policy', "'least-outstanding', 'round-robin', 'random'", 'string "fastest"'])],
    ['scaleDownIdleMs 0', { name: 'm', path: kMlp, instances: { min: 1, max: 2, scaleDownIdleMs: 0 } }, invalid('RangeError', ['scaleDownIdleMs', 'number 0'])],
    ['cache without maxBytes', { name: 'm', path: kMlp, cache: {} }, invalid('TypeError', ['Model "m" cache', 'maxBytes is required'])],
    ['a preprocess module that is missing', { name: 'm', path: kMlp, preprocess: './no-such-pre.js' }, invalid('TypeError', ['Model "m"', 'preprocess', 'no-such-pre.js', 'does not exist'])],
    ['a postprocess module that is a number', { name: 'm', path: kMlp, postprocess: 7 }, invalid('TypeError', ['Model "m"', 'postprocess', 'number 7'])],
    ['a bad session option', { name: 'm', path: kMlp, session: { intraOpThread: 1 } }, unknown(['"intraOpThread"', 'did you mean "intraOpThreads"?'])],
  ];

  it.each(cases)('%s', async (_, options, expected) => {
    await expectRejects(() => Model.load(options as ModelOptions), expected);
  });

  it('a missing model file rejects with ERR_INFERLINE_MODEL_NOT_FOUND', async () => {
    await expectRejects(() => Model.load({ name: 'm', path: '/nonexistent/model.onnx' }), {
      code: 'ERR_INFERLINE_MODEL_NOT_FOUND',
      kind: 'InferlineError',
      includes: ['/nonexistent/model.onnx'],
    });
  });

  it('bytes that are not a model reject with ERR_INFERLINE_ORT', async () => {
    await expectRejects(() => Model.load({ name: 'm', bytes: new Uint8Array(100).fill(7), session: { logLevel: 'fatal' } }), {
      code: 'ERR_INFERLINE_ORT',
      kind: 'InferlineError',
    });
  });
});

describe('model.infer rejects bad arguments', () => {
  let model: Model;
  beforeAll(async () => {
    model = await Model.load({ name: 'mlp', path: kMlp, session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 8, priorityLevels: 3 } });
  });
  afterAll(() => model.unload());

  const feeds = mlpFeeds(1, 1);
  const cases: Array<[string, () => unknown, ExpectedError]> = [
    ['options not an object', () => model.infer(feeds, 5 as never), invalid('TypeError', ['Model "mlp" infer', 'options must be an object', 'number 5'])],
    ['unknown option', () => model.infer(feeds, { priorty: 1 } as never), unknown(['Model "mlp" infer', '"priorty"', 'did you mean "priority"?'])],
    ['priority above the levels', () => model.infer(feeds, { priority: 3 }), invalid('RangeError', ['priority', 'from 0 to 2', 'priorityLevels', 'number 3'])],
    ['negative priority', () => model.infer(feeds, { priority: -1 }), invalid('RangeError', ['priority', 'number -1'])],
    ['fractional priority', () => model.infer(feeds, { priority: 0.5 }), invalid('RangeError', ['priority', 'number 0.5'])],
    ['timeoutMs -1', () => model.infer(feeds, { timeoutMs: -1 }), invalid('RangeError', ['timeoutMs must be a positive number', 'number -1'])],
    ['timeoutMs 0', () => model.infer(feeds, { timeoutMs: 0 }), invalid('RangeError', ['timeoutMs', 'number 0'])],
    ['timeoutMs NaN', () => model.infer(feeds, { timeoutMs: Number.NaN }), invalid('RangeError', ['timeoutMs', 'NaN'])],
    ['timeoutMs a string', () => model.infer(feeds, { timeoutMs: '10' as never }), invalid('RangeError', ['timeoutMs', 'string "10"'])],
    ['signal not an AbortSignal', () => model.infer(feeds, { signal: {} as never }), invalid('TypeError', ['signal must be an AbortSignal', 'an object (Object)'])],
    ['rows above maxBatchSize', () => model.infer(mlpFeeds(9, 2)), invalid('RangeError', ['9 rows', 'maxBatchSize 8'])],
    ['feeds not an object', () => model.infer(null as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError' }],
    ['a missing input', () => model.infer({}), { code: 'ERR_INFERLINE_MISSING_INPUT', kind: 'TypeError', includes: ['"x"'] }],
    ['an unknown input', () => model.infer({ ...feeds, z: feeds.x }), { code: 'ERR_INFERLINE_UNKNOWN_INPUT', kind: 'TypeError', includes: ['"z"'] }],
    ['a wrong dtype', () => model.infer({ x: new Tensor('int32', new Int32Array(256), [1, 256]) }), { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['float32', 'int32'] }],
    ['a wrong fixed dim', () => model.infer({ x: new Tensor('float32', new Float32Array(128), [1, 128]) }), { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['128'] }],
  ];

  it.each(cases)('%s', async (_, call, expected) => {
    await expectRejects(call, expected);
  });

  it('an already-aborted signal rejects with ERR_INFERLINE_ABORTED and the reason as cause', async () => {
    const reason = new Error('gave up');
    const error = await expectRejects(() => model.infer(feeds, { signal: AbortSignal.abort(reason) }), {
      code: 'ERR_INFERLINE_ABORTED',
      kind: 'AbortError',
      includes: ['Model "mlp"'],
    });
    expect(error.cause).toBe(reason);
  });

  it('rejected calls count as failures, queue nothing and leave no listener on the signal', async () => {
    const controller = new AbortController();
    const before = model.stats();
    await expect(model.infer(feeds, { signal: controller.signal, priority: 9 })).rejects.toMatchObject({ code: 'ERR_INFERLINE_INVALID_ARG' });
    const after = model.stats();
    expect(after.requests.failure).toBe(before.requests.failure + 1);
    expect(after.queueDepth).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(model.infer(feeds)).resolves.toHaveProperty('y');
  });

  it('inputs that disagree on dim 0 reject with ERR_INFERLINE_SHAPE_MISMATCH', async () => {
    const multi = await Model.load({ name: 'multi-io', path: generatedModel('multi-io'), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 8 } });
    try {
      await expectRejects(() => multi.infer({ a: new Tensor('float32', new Float32Array(8), [2, 4]), b: new Tensor('float32', new Float32Array(12), [3, 4]) }), {
        code: 'ERR_INFERLINE_SHAPE_MISMATCH',
        kind: 'RangeError',
        includes: ['Model "multi-io"', 'dim 0', '2', '3'],
      });
    } finally {
      await multi.unload();
    }
  });
});

describe('unload', () => {
  it('serves every queued request, then refuses new ones with ERR_INFERLINE_MODEL_UNLOADED; calling it again is harmless', async () => {
    const model = await Model.load({ name: 'slow', path: generatedModel('slow'), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 64 } });
    const slowFeeds = (seed: number): { x: Tensor } => ({ x: new Tensor('float32', randomFloat32(64 * 512, seed), [64, 512]) });
    const requests = [model.infer(slowFeeds(1)), model.infer(slowFeeds(2)), model.infer(slowFeeds(3)), model.infer(slowFeeds(4))];
    expect(model.stats().queueDepth).toBe(3);
    const unloaded = model.unload();
    expect(model.unload()).toBe(unloaded); // the same promise

    // Refused at once, while the queued ones are still being served.
    await expectRejects(() => model.infer(slowFeeds(5)), {
      code: 'ERR_INFERLINE_MODEL_UNLOADED',
      kind: 'InferlineError',
      includes: ['Model "slow"', 'unloaded'],
    });
    const results = await Promise.all(requests);
    for (const result of results) expect(result['y']!.shape).toEqual([64, 512]);
    await unloaded;
    await model.unload();
    expect(model.stats().requests).toEqual({ success: 4, failure: 1 });
    await expectRejects(() => model.infer(slowFeeds(6)), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError' });
  });

  it('requests held for maxQueueDelayMicros when unload() is called are still served', async () => {
    const model = await Model.load({ name: 'mlp', path: kMlp, session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 8, maxQueueDelayMicros: 100_000 } });
    await model.infer(mlpFeeds(1, 1));
    const running = model.infer(mlpFeeds(1, 2));
    const waiting = model.infer(mlpFeeds(1, 3)); // held for the delay: one row, no preferred size
    await model.unload();
    await expect(running).resolves.toHaveProperty('y');
    await expect(waiting).resolves.toHaveProperty('y');
  });
});
