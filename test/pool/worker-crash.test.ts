// A worker that dies (process.exit() in a handler, or an exception thrown outside any promise)
// fails the task it was running with ERR_INFERLINE_WORKER_CRASHED; Piscina replaces the worker
// and the next task succeeds on the new one.
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { expectRejects } from '../helpers/expect-error.js';
import { handler, kContext } from './handlers.js';

describe('a crashing worker', () => {
  const pool = new WorkerPool({ size: 1, name: 'crashy' });
  afterAll(() => pool.close());

  const threadIdOf = async (): Promise<number> => {
    const { threadId } = await pool.preprocess(handler('crash.mjs'), { how: 'no' }, kContext);
    return (threadId!.data as Int32Array)[0]!;
  };

  it.each([
    ['process.exit(1)', 'exit', 'exited with code: 1'],
    ['an uncaught exception from a timer', 'uncaught', 'thrown from a timer'],
  ])('%s fails its task, and the next task runs on a new worker', async (_what, how, words) => {
    const before = await threadIdOf();
    const crashesBefore = pool.stats().crashes;
    const error = await expectRejects(() => pool.preprocess(handler('crash.mjs'), { how }, kContext), {
      code: 'ERR_INFERLINE_WORKER_CRASHED',
      kind: 'InferlineError',
      includes: ['WorkerPool "crashy"', 'crash.mjs', 'died', words],
    });
    expect(error.cause).toBeInstanceOf(Error);
    const after = await threadIdOf();
    expect(after).not.toBe(before); // a new thread
    expect(pool.stats().crashes).toBe(crashesBefore + 1);
    expect(pool.stats().workers).toBe(1);
  });
});
