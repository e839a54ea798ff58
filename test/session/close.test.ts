// close(): stops accepting runs at once, lets the runs in flight finish (with correct outputs),
// and resolves only after them. Afterwards every use fails with ERR_INFERLINE_SESSION_CLOSED.
import { describe, expect, it } from 'vitest';
import { InferlineError, Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kOptions = { intraOpThreads: 1 };

function slowInput(seed: number): Tensor {
  return new Tensor('float32', randomFloat32(128 * 512, seed), [128, 512]);
}

function addInput(): Tensor {
  return new Tensor('float32', new Float32Array(16), [1, 16]);
}

function expectClosedError(error: unknown): void {
  expect(error).toBeInstanceOf(InferlineError);
  expect((error as InferlineError).code).toBe('ERR_INFERLINE_SESSION_CLOSED');
  expect((error as Error).message).toMatch(/closed/);
}

describe('Session.close()', () => {
  it('waits for the runs in flight: they resolve with correct outputs, close resolves after them', async () => {
    const session = await Session.create(generatedModel('slow'), kOptions);
    const inputs = Array.from({ length: 6 }, (_, index) => slowInput(index + 1));
    const expected = inputs.map((x) => session.runSync({ x })['y']!);

    const order: string[] = [];
    const runs = inputs.map((x, index) =>
      session.run({ x }).then((result) => {
        order.push(`run ${index}`);
        return result;
      }),
    );
    const closing = session.close().then(() => order.push('close'));
    await Promise.all([...runs, closing]);

    expect(order).toHaveLength(inputs.length + 1);
    expect(order.at(-1)).toBe('close');
    const results = await Promise.all(runs);
    results.forEach((result, index) => expectSameTensor(result['y']!, expected[index]!, `run ${index}`));
  });

  it('closed is false until close() is called, true from that moment on', async () => {
    const session = await Session.create(generatedModel('add'), kOptions);
    expect(session.closed).toBe(false);
    const closing = session.close();
    expect(session.closed).toBe(true);
    await closing;
    expect(session.closed).toBe(true);
  });

  it('run() after close rejects (does not throw) with ERR_INFERLINE_SESSION_CLOSED', async () => {
    const session = await Session.create(generatedModel('add'), kOptions);
    await session.close();
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = session.run({ x: addInput() });
    }).not.toThrow();
    expectClosedError(await pending!.catch((error: unknown) => error));
  });

  it('run() called while close() is pending is refused, the runs before it are not', async () => {
    const session = await Session.create(generatedModel('slow'), kOptions);
    const before = session.run({ x: slowInput(1) });
    const closing = session.close();
    const after = session.run({ x: slowInput(2) });
    expectClosedError(await after.catch((error: unknown) => error));
    expect((await before)['y']!.shape).toEqual([128, 512]);
    await closing;
  });

  it('runSync() after close throws ERR_INFERLINE_SESSION_CLOSED', async () => {
    const session = await Session.create(generatedModel('add'), kOptions);
    await session.close();
    let thrown: unknown;
    try {
      session.runSync({ x: addInput() });
    } catch (error) {
      thrown = error;
    }
    expectClosedError(thrown);
  });

  it('endProfiling() after close throws ERR_INFERLINE_SESSION_CLOSED', async () => {
    const session = await Session.create(generatedModel('add'), kOptions);
    await session.close();
    expect(() => session.endProfiling()).toThrow(expect.objectContaining({ code: 'ERR_INFERLINE_SESSION_CLOSED' }));
  });

  it('close twice is harmless, also while runs are in flight', async () => {
    const session = await Session.create(generatedModel('slow'), kOptions);
    const run = session.run({ x: slowInput(3) });
    const order: string[] = [];
    const first = session.close().then(() => order.push('first close'));
    const second = session.close().then(() => order.push('second close'));
    await run.then(() => order.push('run'));
    await Promise.all([first, second]);
    expect(order[0]).toBe('run');
    expect(order.slice(1).sort()).toEqual(['first close', 'second close']);
    await expect(session.close()).resolves.toBeUndefined();
  });

  it('closing an idle session resolves', async () => {
    const session = await Session.create(generatedModel('add'), kOptions);
    session.runSync({ x: addInput() });
    await expect(session.close()).resolves.toBeUndefined();
  });
});
