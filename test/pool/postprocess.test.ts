// Postprocess gets the outputs of a whole batch in one worker task: each distinct buffer crosses
// once (moved, or shared), the worker rebuilds each request's views, and one result comes back
// per request, in order.
import { threadId as mainThreadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { expectInferlineError, expectRejects } from '../helpers/expect-error.js';
import { handler, kContext } from './handlers.js';

/** A batch as the batcher splits one: request i's `y` is rows [i*4, i*4+4) of one [n,4] buffer. */
function batchOfViews(requests: number, fill: (index: number) => number): { batch: Float32Array; outputs: Array<Record<string, Tensor>> } {
  const batch = Float32Array.from({ length: requests * 4 }, (_, index) => fill(index));
  const outputs = Array.from({ length: requests }, (_, i) => ({ y: new Tensor('float32', batch.subarray(i * 4, i * 4 + 4), [1, 4]) }));
  return { batch, outputs };
}

const fulfilled = (results: Array<PromiseSettledResult<unknown>>): unknown[] =>
  results.map((result) => {
    expect(result.status).toBe('fulfilled');
    return (result as PromiseFulfilledResult<unknown>).value;
  });

describe('WorkerPool.postprocess', () => {
  const pool = new WorkerPool({ size: 1, name: 'post' });
  afterAll(() => pool.close());

  it('runs off the main thread', async () => {
    const { outputs } = batchOfViews(2, (index) => index);
    const threadIds = fulfilled(await pool.postprocess(handler('thread-id.mjs'), outputs, kContext));
    expect(threadIds).toHaveLength(2);
    for (const id of threadIds) expect(id).not.toBe(mainThreadId);
  });

  it('gives each request its own view of the batch buffer and returns the results in order', async () => {
    const { batch, outputs } = batchOfViews(3, (index) => index);
    const labels = ['a', 'b', 'c'];
    const withLabels = outputs.map((request, i) => ({ ...request, label: new Tensor('string', [labels[i]!], [1]) }));
    const results = fulfilled(await pool.postprocess(handler('summarize.mjs'), withLabels, kContext)) as Array<Record<string, unknown>>;
    expect(results.map((result) => result['sum'])).toEqual([0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11]);
    expect(results.map((result) => result['first'])).toEqual([0, 4, 8]);
    expect(results.map((result) => result['byteOffset'])).toEqual([0, 16, 32]); // views into one buffer
    expect(results.map((result) => result['label'])).toEqual(labels);
    expect(results[0]!['shape']).toEqual([1, 4]);
    expect(results[0]!['context']).toEqual(kContext);
    expect(results[0]!['shared']).toBe(false);
    // Moved, not copied: the batch buffer is detached here, and so are the request views.
    expect(batch.buffer.byteLength).toBe(0);
    expect(outputs[0]!['y']!.data.length).toBe(0);
    expect(pool.stats().copiedBytes).toBe(0);
  });

  it('sends a buffer once however many requests view it, and each distinct buffer of several outputs', async () => {
    const first = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const second = new Float32Array([10, 20, 30, 40]);
    const outputs = [
      { y: new Tensor('float32', first.subarray(0, 4), [4]) },
      { y: new Tensor('float32', first.subarray(4, 8), [4]) },
      { y: new Tensor('float32', second, [4]) },
    ];
    const results = fulfilled(await pool.postprocess(handler('summarize.mjs'), outputs, kContext)) as Array<Record<string, unknown>>;
    expect(results.map((result) => result['sum'])).toEqual([10, 26, 100]);
    expect(first.buffer.byteLength).toBe(0);
    expect(second.buffer.byteLength).toBe(0);
  });

  it('passes SharedArrayBuffer-backed outputs as they are: shared, not copied or detached', async () => {
    const batch = new Float32Array(new SharedArrayBuffer(8 * 4)).fill(2);
    const outputs = [0, 1].map((i) => ({ y: new Tensor('float32', batch.subarray(i * 4, i * 4 + 4), [4]) }));
    const before = pool.stats().copiedBytes;
    const results = fulfilled(await pool.postprocess(handler('summarize.mjs'), outputs, kContext)) as Array<Record<string, unknown>>;
    expect(results.map((result) => result['shared'])).toEqual([true, true]);
    expect(results.map((result) => result['sum'])).toEqual([8, 8]);
    expect(batch.length).toBe(8);
    expect(pool.stats().copiedBytes).toBe(before);
  });

  it('keepOutputs: copies each buffer once into shared memory and leaves the caller\'s usable', async () => {
    const { batch, outputs } = batchOfViews(4, () => 1);
    const before = pool.stats().copiedBytes;
    const results = fulfilled(await pool.postprocess(handler('summarize.mjs'), outputs, kContext, { keepOutputs: true })) as Array<Record<string, unknown>>;
    expect(results.map((result) => result['sum'])).toEqual([4, 4, 4, 4]);
    expect(results.map((result) => result['shared'])).toEqual([true, true, true, true]);
    expect(batch.length).toBe(16); // not detached
    expect(pool.stats().copiedBytes - before).toBe(batch.byteLength); // once per batch, not per request
  });

  it('returns buffers in the results moved back: a view of the batch comes home', async () => {
    const { outputs } = batchOfViews(2, (index) => index * 10);
    const results = fulfilled(await pool.postprocess(handler('echo-view.mjs'), outputs, kContext)) as Array<{ data: Float32Array }>;
    expect(results[0]!.data).toBeInstanceOf(Float32Array);
    expect([...results[1]!.data]).toEqual([40, 50, 60, 70]);
    expect(results[0]!.data.buffer).toBe(results[1]!.data.buffer); // one buffer, as it left
  });

  it('loads CommonJS handler modules (module.exports.postprocess)', async () => {
    const { outputs } = batchOfViews(1, () => 0);
    expect(fulfilled(await pool.postprocess(handler('commonjs.cjs'), outputs, kContext))).toEqual(['cjs:4']);
  });

  it('an empty batch resolves with no results and runs no task', async () => {
    const before = pool.stats().tasks;
    expect(await pool.postprocess(handler('summarize.mjs'), [], kContext)).toEqual([]);
    expect(pool.stats().tasks).toBe(before);
  });

  it('outputs whose buffer was already moved are refused with ERR_INFERLINE_DETACHED_BUFFER', async () => {
    const { outputs } = batchOfViews(2, (index) => index);
    await pool.postprocess(handler('summarize.mjs'), outputs, kContext);
    await expectRejects(() => pool.postprocess(handler('summarize.mjs'), outputs, kContext), {
      code: 'ERR_INFERLINE_DETACHED_BUFFER',
      kind: 'TypeError',
      includes: ['request 0 output "y"', 'detached'],
    });
  });

  it('checks the outputs before anything is moved', async () => {
    const { batch, outputs } = batchOfViews(2, (index) => index);
    const broken = [...outputs, { y: { dtype: 'float32', data: new Float32Array(3), shape: [1, 4] } }];
    const error = await pool.postprocess(handler('summarize.mjs'), broken as never, kContext).catch((caught: unknown) => caught);
    expectInferlineError(error, { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['request 2 output "y"', '[1,4]', '3'] });
    expect(batch.length).toBe(8); // nothing was moved
    await expectRejects(() => pool.postprocess(handler('summarize.mjs'), [{ y: { dtype: 'float32', data: new Int32Array(4), shape: [4] } }] as never, kContext), {
      code: 'ERR_INFERLINE_DTYPE_MISMATCH',
      kind: 'TypeError',
      includes: ['request 0 output "y"', 'Float32Array', 'Int32Array'],
    });
    await expectRejects(() => pool.postprocess(handler('summarize.mjs'), [{ y: 3 }] as never, kContext), {
      code: 'ERR_INFERLINE_INVALID_TENSOR',
      kind: 'TypeError',
      includes: ['request 0 output "y"', 'expected a Tensor'],
    });
    await expectRejects(() => pool.postprocess(handler('summarize.mjs'), {} as never, kContext), {
      code: 'ERR_INFERLINE_INVALID_ARG',
      kind: 'TypeError',
      includes: ['array'],
    });
  });
});
