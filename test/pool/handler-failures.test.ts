// A handler that throws, fails to load or returns something unusable fails only its own task, or
// in a batch only its own request, with a code that says which; the pool carries on.
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { expectInferlineError, expectRejects } from '../helpers/expect-error.js';
import { handler, kContext } from './handlers.js';

const scores = (values: number[]): Array<Record<string, Tensor>> => {
  const batch = Float32Array.from(values);
  return values.map((_, i) => ({ y: new Tensor('float32', batch.subarray(i, i + 1), [1]) }));
};

describe('handler failures', () => {
  const pool = new WorkerPool({ size: 1, name: 'failing' });
  afterAll(() => pool.close());

  it('a throwing preprocess rejects ERR_INFERLINE_HANDLER_FAILED naming the module, with the original error as cause', async () => {
    const error = await expectRejects(() => pool.preprocess(handler('throws.mjs'), {}, kContext), {
      code: 'ERR_INFERLINE_HANDLER_FAILED',
      kind: 'InferlineError',
      includes: ['WorkerPool "failing"', 'preprocess', 'throws.mjs', 'cannot decode the image'],
    });
    const cause = error.cause as Error & { code?: string };
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message).toBe('cannot decode the image');
    expect(cause.code).toBe('E_DECODE');
    expect(cause.stack).toContain('throws.mjs'); // the worker's frames, where the bug is
    // The pool is fine: the next task runs.
    const { threadId } = await pool.preprocess(handler('thread-id.mjs'), {}, kContext);
    expect(threadId!.data.length).toBe(1);
  });

  it('in a batch, a handler throwing for one request fails only that request', async () => {
    const results = await pool.postprocess(handler('throws.mjs'), scores([0.5, -1, 0.25]), kContext);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseFulfilledResult<number>).value).toBe(0.5);
    expect((results[2] as PromiseFulfilledResult<number>).value).toBe(0.25);
    const error = expectInferlineError((results[1] as PromiseRejectedResult).reason, {
      code: 'ERR_INFERLINE_HANDLER_FAILED',
      kind: 'InferlineError',
      includes: ['postprocess', 'throws.mjs', 'request 1', 'negative score -1'],
    });
    expect((error.cause as Error).name).toBe('RangeError');
    // Later batches are served.
    const later = await pool.postprocess(handler('throws.mjs'), scores([3]), kContext);
    expect(later).toEqual([{ status: 'fulfilled', value: 3 }]);
  });

  it('a module that does not exist rejects ERR_INFERLINE_HANDLER_LOAD naming it', async () => {
    const missing = handler('no-such-handler.mjs');
    const error = await expectRejects(() => pool.preprocess(missing, {}, kContext), {
      code: 'ERR_INFERLINE_HANDLER_LOAD',
      kind: 'InferlineError',
      includes: [missing, 'could not be imported'],
    });
    expect((error.cause as Error & { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('a module that throws while loading rejects ERR_INFERLINE_HANDLER_LOAD (the whole batch) with its error', async () => {
    const error = await expectRejects(() => pool.postprocess(handler('import-throws.mjs'), scores([1, 2]), kContext), {
      code: 'ERR_INFERLINE_HANDLER_LOAD',
      kind: 'InferlineError',
      includes: ['import-throws.mjs', 'missing configuration file'],
    });
    expect((error.cause as Error).message).toBe('missing configuration file');
  });

  it('a module without a handler function rejects ERR_INFERLINE_HANDLER_LOAD listing what it exports', async () => {
    await expectRejects(() => pool.preprocess(handler('no-function.mjs'), {}, kContext), {
      code: 'ERR_INFERLINE_HANDLER_LOAD',
      kind: 'InferlineError',
      includes: ['no-function.mjs', 'exports no preprocess function', '"version"'],
    });
  });

  it.each([
    ['count', ['feed "x"', '[2,3] holds 6 elements, data has 5']],
    ['dtype', ['feed "x"', 'complex64']],
    ['mismatch', ['feed "x"', 'Float32Array', 'Int32Array']],
    ['not-a-tensor', ['feed "x"', 'number 42']],
    ['no-shape', ['feed "x"', 'shape must be an array']],
    ['string', ['an unusable value', 'string "not an object"']],
  ])('preprocess returning bad feeds (%s) rejects ERR_INFERLINE_HANDLER_RESULT naming the module and the feed', async (kind, words) => {
    await expectRejects(() => pool.preprocess(handler('bad-result.mjs'), { kind }, kContext), {
      code: 'ERR_INFERLINE_HANDLER_RESULT',
      kind: 'InferlineError',
      includes: ['bad-result.mjs', ...words],
    });
  });

  it('a postprocess result that cannot cross threads fails its request only, with ERR_INFERLINE_HANDLER_RESULT', async () => {
    const results = await pool.postprocess(handler('bad-result.mjs'), scores([0, 1]), kContext);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'fine' });
    expectInferlineError((results[1] as PromiseRejectedResult).reason, {
      code: 'ERR_INFERLINE_HANDLER_RESULT',
      kind: 'InferlineError',
      includes: ['bad-result.mjs', 'request 1', '.format', 'a function'],
    });
  });

  it('counts the failures; no worker died', () => {
    const stats = pool.stats();
    // 1 preprocess throw + 1 request + 2 load (preprocess, postprocess batch of 2) + 1 no function
    // + 6 bad feeds + 1 unclonable result.
    expect(stats.failed).toBe(1 + 1 + 1 + 2 + 1 + 6 + 1);
    expect(stats.crashes).toBe(0);
  });
});
