// run({ signal }): an aborted signal rejects with ERR_INFERLINE_ABORTED (name 'AbortError'),
// whether it fired before the call, while the run waited in the queue, or while ONNX Runtime was
// computing (ORT's terminate flag). Only the aborted run is affected, and a signal leaves no
// listener behind once its run settles.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferlineError, runtimeInfo, Session, Tensor } from '../../src/index.js';
import { slowModel } from '../fixtures/models.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

// One intra-op thread: a run occupies exactly one of inferline's pool threads.
const kOptions = { intraOpThreads: 1 };

function slowInput(rows: number, seed = 1): Tensor {
  return new Tensor('float32', randomFloat32(rows * 512, seed), [rows, 512]);
}

function expectAborted(error: unknown): void {
  expect(error).toBeInstanceOf(InferlineError);
  expect((error as InferlineError).code).toBe('ERR_INFERLINE_ABORTED');
  expect((error as InferlineError).name).toBe('AbortError');
}

/** Resolves with the error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected the run to reject'),
    (error: unknown) => error,
  );
}

const kPoolThreads = runtimeInfo().threads;

describe('aborting runs of the slow model', () => {
  let slow: Session;
  let add: Session;
  beforeAll(async () => {
    slow = await Session.create(generatedModel('slow'), kOptions);
    add = await Session.create(generatedModel('add'), kOptions);
  });
  afterAll(async () => {
    await slow.close();
    await add.close();
  });

  /**
   * Resolves once `run` has left the pool's queue: the queue is FIFO, so when a tiny run
   * submitted after it has completed on another thread, a thread has taken `run` already.
   */
  async function untilStarted(): Promise<void> {
    await add.run({ x: new Tensor('float32', new Float32Array(16), [1, 16]) });
  }

  it('an already-aborted signal rejects at once, with the signal reason as cause', async () => {
    const controller = new AbortController();
    const reason = new Error('user gave up');
    controller.abort(reason);
    const error = await rejectionOf(slow.run({ x: slowInput(512) }, { signal: controller.signal }));
    expectAborted(error);
    expect((error as Error).cause).toBe(reason);
  });

  it.skipIf(kPoolThreads < 2)('abort while running rejects, and the session keeps working', async () => {
    const controller = new AbortController();
    const running = rejectionOf(slow.run({ x: slowInput(512) }, { signal: controller.signal }));
    await untilStarted();
    controller.abort();
    expectAborted(await running);

    const input = slowInput(64, 2);
    const after = await slow.run({ x: input });
    expectSameTensor(after['y']!, slow.runSync({ x: input })['y']!, 'run after an abort');
  });

  it.skipIf(kPoolThreads < 2)('a running run is terminated mid-run, not left to finish', async () => {
    // A 400-layer model on [512,512] runs ~1 s; each kernel a few ms. After the abort, a run
    // 8× smaller (~120 ms) is started on the other thread: a terminated run rejects within a
    // kernel or two, long before it; a run left to finish would end long after it. The margins
    // are 10× either way, so this is an ordering of events, not a measure of time.
    const long = await Session.create(slowModel(400), kOptions);
    try {
      const order: string[] = [];
      const controller = new AbortController();
      const aborted = long.run({ x: slowInput(512) }, { signal: controller.signal }).then(
        () => order.push('long run resolved'),
        (error: unknown) => {
          expectAborted(error);
          order.push('long run aborted');
        },
      );
      await untilStarted();
      controller.abort();
      const short = long.run({ x: slowInput(64) }).then(() => order.push('short run resolved'));
      await Promise.all([aborted, short]);
      expect(order).toEqual(['long run aborted', 'short run resolved']);
    } finally {
      await long.close();
    }
  });

  it('aborting a queued run rejects only that run; the others resolve', async () => {
    const total = kPoolThreads + 4; // more runs than threads: the last ones wait in the queue
    const controllers = Array.from({ length: total }, () => new AbortController());
    const runs = controllers.map((controller, index) =>
      slow.run({ x: slowInput(512, 10 + index) }, { signal: controller.signal }),
    );
    const victim = total - 2;
    controllers[victim]!.abort();
    const settled = await Promise.allSettled(runs);
    settled.forEach((outcome, index) => {
      if (index === victim) {
        expect(outcome.status).toBe('rejected');
        expectAborted((outcome as PromiseRejectedResult).reason);
      } else {
        expect(outcome.status, `run ${index}`).toBe('fulfilled');
        expect((outcome as PromiseFulfilledResult<Record<string, Tensor>>).value['y']!.shape).toEqual([512, 512]);
      }
    });
  });

  it('aborting after a run resolved changes nothing', async () => {
    const controller = new AbortController();
    const result = await add.run({ x: new Tensor('float32', new Float32Array(16), [1, 16]) }, { signal: controller.signal });
    controller.abort();
    expect(Array.from(result['y']!.data as Float32Array)).toEqual(new Array(16).fill(1));
  });
});

describe('abort listeners', () => {
  it('1000 runs with one signal leave no listener behind and raise no MaxListenersExceededWarning', async () => {
    const add = await Session.create(generatedModel('add'), kOptions);
    const failing = await Session.create(generatedModel('failing'), { ...kOptions, logLevel: 'fatal' });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const { signal } = new AbortController();
      const x = new Tensor('float32', new Float32Array(16), [1, 16]);
      for (let run = 0; run < 1000; run++) await add.run({ x }, { signal });
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);

      // A run that ONNX Runtime fails must clean up too.
      const badReshape = {
        data: new Tensor('float32', new Float32Array(16), [16]),
        shape: new Tensor('int64', new BigInt64Array([5n, 5n]), [2]),
      };
      for (let run = 0; run < 20; run++) {
        const error = await rejectionOf(failing.run(badReshape, { signal }));
        expect((error as InferlineError).code).toBe('ERR_INFERLINE_ORT');
      }
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);

      // Warnings are emitted on a later tick: let them arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await add.close();
      await failing.close();
    }
  });
});
