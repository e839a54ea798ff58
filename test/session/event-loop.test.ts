// run() executes on inferline's threads, so the event loop keeps turning while models run. A 1 ms
// interval counts the loop's turns; a run during which it fired did not block the loop. No
// assertion is about how long anything took: only whether the loop turned, which a blocking
// implementation (runSync, below, and onnxruntime-node) cannot do.
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { kRealModels } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

const kCallers = 16;
const kRecDims = [1, 3, 48, 320];

/** Counts how often a 1 ms interval fires; stop() clears it. */
function tickCounter(): { readonly ticks: number; stop(): void } {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 1);
  return {
    get ticks() {
      return ticks;
    },
    stop: () => clearInterval(timer),
  };
}

function recInputs(): Float32Array[] {
  return Array.from({ length: kCallers }, (_, caller) => randomFloat32(kRecDims.reduce((a, b) => a * b, 1), 500 + caller));
}

describe('the event loop while PP-OCRv4 rec runs', () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(kRealModels.ocrRec, { intraOpThreads: 1 });
    session.runSync({ x: new Tensor('float32', recInputs()[0]!, kRecDims) }); // warm-up: first run plans memory
  });
  afterAll(() => session.close());

  it(`keeps turning during ${kCallers} concurrent run() calls`, async () => {
    const counter = tickCounter();
    try {
      const ticksBeforeBatch = counter.ticks;
      const ticksDuringEachRun = await Promise.all(
        recInputs().map(async (data) => {
          const atStart = counter.ticks;
          await session.run({ x: new Tensor('float32', data, kRecDims) });
          return counter.ticks - atStart;
        }),
      );
      // Every run lasts a whole model inference (tens of ms); a free loop fires the interval in
      // most of them. Allow a few without a tick so a loaded machine cannot fail this.
      const runsThatSawTicks = ticksDuringEachRun.filter((ticks) => ticks > 0).length;
      expect(runsThatSawTicks).toBeGreaterThan(kCallers / 2);
      expect(counter.ticks - ticksBeforeBatch).toBeGreaterThan(0);
    } finally {
      counter.stop();
    }
  });

  it('contrast: runSync blocks the loop, so no tick fires during any call', () => {
    const counter = tickCounter();
    try {
      // Fewer calls than above: each blocks for a whole inference and this only shows the contrast.
      const ticksDuringEachRun = recInputs().slice(0, 4).map((data) => {
        const atStart = counter.ticks;
        session.runSync({ x: new Tensor('float32', data, kRecDims) });
        return counter.ticks - atStart;
      });
      expect(ticksDuringEachRun).toEqual([0, 0, 0, 0]);
    } finally {
      counter.stop();
    }
  });

  it('contrast: onnxruntime-node runs its queued calls back to back, no tick between their completions', async () => {
    const theirs = await ort.InferenceSession.create(kRealModels.ocrRec, { intraOpNumThreads: 1 });
    const counter = tickCounter();
    try {
      const inputs = recInputs().slice(0, 8);
      const ticksAtEachCompletion = await Promise.all(
        inputs.map(async (data) => {
          await theirs.run({ x: new ort.Tensor('float32', data, kRecDims) });
          return counter.ticks;
        }),
      );
      // All completions happen within one turn of the loop: the same tick count for all.
      expect(new Set(ticksAtEachCompletion).size).toBe(1);
    } finally {
      counter.stop();
      await theirs.release();
    }
  });
});
