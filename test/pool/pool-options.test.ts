// Arguments are checked before anything is queued: constructor options throw, the async methods
// reject (never throw), and each message names the argument and what it accepts.
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { defaultPoolSize } from '../../src/pool/pool-options.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { type ExpectedError, expectRejects, expectThrows } from '../helpers/expect-error.js';
import { handler, kContext } from './handlers.js';

describe('new WorkerPool options', () => {
  it('defaults to one worker fewer than the cores, at least one', () => {
    expect(defaultPoolSize()).toBe(Math.max(1, availableParallelism() - 1));
  });

  it.each<[string, unknown, ExpectedError]>([
    ['size 0', { size: 0 }, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['size', 'from 1 to 1024', 'number 0'] }],
    ['size 1.5', { size: 1.5 }, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['size'] }],
    ['size "2"', { size: '2' }, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['size', 'string "2"'] }],
    ['idleTimeoutMs -1', { idleTimeoutMs: -1 }, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['idleTimeoutMs'] }],
    ['name ""', { name: '' }, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['name', 'non-empty string'] }],
    ['a misspelt option', { sise: 2 }, { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"sise"', 'did you mean "size"'] }],
    ['options not an object', 4, { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['options must be an object'] }],
  ])('%s is refused', (_what, options, expected) => {
    expectThrows(() => new WorkerPool(options as never), expected);
  });
});

describe('WorkerPool call arguments', () => {
  const pool = new WorkerPool({ size: 1, name: 'args' });
  afterAll(() => pool.close());
  const ok = handler('thread-id.mjs');
  const output = (): Array<Record<string, Tensor>> => [{ y: new Tensor('float32', new Float32Array(1), [1]) }];

  it.each<[string, () => Promise<unknown>, ExpectedError]>([
    ['a relative module path', () => pool.preprocess('./pre.mjs', {}, kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['absolute path or a file: URL', 'relative path "./pre.mjs"'] }],
    ['an http: URL', () => pool.postprocess('https://example.com/post.mjs', output(), kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['https: URL'] }],
    ['a module that is not a string', () => pool.preprocess(42 as never, {}, kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['number 42'] }],
    ['a context that is not an object', () => pool.preprocess(ok, {}, 'ctx' as never),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['context must be a plain object'] }],
    ['a signal that is not an AbortSignal', () => pool.preprocess(ok, {}, kContext, { signal: {} as never }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['signal must be an AbortSignal'] }],
    ['transfer that is not an array', () => pool.preprocess(ok, {}, kContext, { transfer: new ArrayBuffer(1) as never }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['transfer must be an array of ArrayBuffers'] }],
    ['a SharedArrayBuffer in transfer', () => pool.preprocess(ok, {}, kContext, { transfer: [new SharedArrayBuffer(1) as never] }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['transfer[0]', 'shared as they are'] }],
    ['a misspelt preprocess option', () => pool.preprocess(ok, {}, kContext, { transfers: [] } as never),
      { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['did you mean "transfer"'] }],
    ['keepOutputs that is not a boolean', () => pool.postprocess(ok, output(), kContext, { keepOutputs: 1 as never }),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['keepOutputs must be a boolean'] }],
    ['an input with a function', () => pool.preprocess(ok, { image: new Uint8Array(1), onProgress: () => {} }, kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['cannot be sent to a worker thread', '.onProgress', 'a function'] }],
    ['outputs that are not an array', () => pool.postprocess(ok, 'y' as never, kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['array with the outputs of each request'] }],
    ['a request whose outputs are not an object', () => pool.postprocess(ok, [null] as never, kContext),
      { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['outputs of request 0 must be an object'] }],
  ])('%s: rejects (never throws)', async (_what, call, expected) => {
    await expectRejects(call, expected);
  });

  it('ran no task for any of them', () => {
    expect(pool.stats().tasks).toBe(0);
  });
});
