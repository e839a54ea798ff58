// Many calls must not grow memory: each output must be freed once unreachable (outputs of 1 KiB or
// less are copied into an ordinary ArrayBuffer; larger ones are external ArrayBuffers whose
// finalizer releases the OrtValue: both kinds are run here), and each run's native job, input
// references and promise must be released. Memory is read after a full GC at two points, after a
// warm-up and at the end; only the growth between them counts.
//
// Why these bounds (measured on the project's 2-core machine, add model, fresh input per call):
// - RSS grows by a fixed 2-6 MB whatever the number of calls (allocator and V8 page reuse), while
//   keeping each call's result alive grows it by ~830 B per call (83 MB per 100k calls).
// - heapUsed after GC grows by < 0.1 MB; a leaked JS object per call (a Tensor, its typed array,
//   an input kept referenced) costs ≥ 100 B of heap each.
// With kRssBoundBytes = 16 MB, 200,000 runSync calls catch any leak above 80 B per call, and
// 100,000 run calls any above 160 B per call: less than one OrtValue with its data (the output's
// 64 B of floats alone, plus the OrtValue and tensor objects around them) or one leaked job.
// kHeapBoundBytes = 2 MB catches any JS leak above 10-20 B per call. Calls take a few µs each, so
// the whole file runs in seconds. The external outputs (identity, 2 KiB each) would leak more
// than 2 KiB per call if their OrtValue were never released: 200 MB over 100,000 calls.
// Failing runs are checked on the JS heap only: ONNX Runtime's own failure path (an exception
// inside a kernel) grows RSS by 2-3 KB per failed run on the calling thread, the same with
// onnxruntime-node, and on pool threads it fills per-thread malloc arenas (tens of MB, then flat).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';

const kMiB = 1024 * 1024;
const kRssBoundBytes = 16 * kMiB;
const kHeapBoundBytes = 2 * kMiB;
/** runSync with 2 KiB external outputs: see that test. */
const kExternalRssBoundBytes = 40 * kMiB;
const kWarmupCalls = 5_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Usage {
  rss: number;
  heapUsed: number;
}

/** Memory after a full GC; twice, so objects freed by the first pass's finalizers go too. */
async function settledUsage(): Promise<Usage> {
  gc();
  // External buffers' finalizers may queue work for the next turn of the loop.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function freshInput(call: number): Tensor {
  return new Tensor('float32', new Float32Array(16).fill(call % 1000), [1, 16]);
}

async function expectNoGrowth(
  calls: number,
  callBatch: (from: number, to: number) => Promise<void> | void,
  { checkRss = true, warmupCalls = kWarmupCalls, rssBoundBytes = kRssBoundBytes } = {},
): Promise<void> {
  await callBatch(0, warmupCalls);
  const before = await settledUsage();
  const batch = 10_000;
  for (let from = 0; from < calls; from += batch) await callBatch(from, Math.min(from + batch, calls));
  const after = await settledUsage();
  const growth = { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed };
  const what = `after ${calls} calls: rss +${(growth.rss / kMiB).toFixed(1)} MiB, heap +${(growth.heapUsed / kMiB).toFixed(2)} MiB`;
  if (checkRss) expect(growth.rss, what).toBeLessThan(rssBoundBytes);
  expect(growth.heapUsed, what).toBeLessThan(kHeapBoundBytes);
}

describe('memory stays flat over many calls (add model)', () => {
  let session: Session;
  let failing: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel('add'), { intraOpThreads: 1 });
    failing = await Session.create(generatedModel('failing'), { intraOpThreads: 1, logLevel: 'fatal' });
  });
  afterAll(async () => {
    await session.close();
    await failing.close();
  });

  it('200,000 runSync calls', async () => {
    await expectNoGrowth(200_000, (from, to) => {
      for (let call = from; call < to; call++) {
        const { y } = session.runSync({ x: freshInput(call) });
        if ((y!.data as Float32Array)[0] !== (call % 1000) + 1) throw new Error(`call ${call}: wrong output`);
      }
    });
  });

  it('100,000 run calls, 8 in flight at a time', async () => {
    await expectNoGrowth(100_000, async (from, to) => {
      for (let call = from; call < to; call += 8) {
        const results = await Promise.all(
          Array.from({ length: Math.min(8, to - call) }, (_, offset) => session.run({ x: freshInput(call + offset) })),
        );
        results.forEach(({ y }, offset) => {
          if ((y!.data as Float32Array)[0] !== ((call + offset) % 1000) + 1) throw new Error(`call ${call + offset}: wrong output`);
        });
      }
    });
  });

  // Each test gets its own session, hence its own ORT memory arena, and the one that fails on a
  // high-water mark (runSync, below) runs last: memory it leaves cached cannot hide another's growth.
  describe('2 KiB outputs (external buffers: identity [8,64])', () => {
    const input = (call: number): Tensor => new Tensor('float32', new Float32Array(512).fill(call % 1000), [8, 64]);
    const check = (y: Tensor | undefined, call: number): void => {
      const data = y!.data as Float32Array;
      if (data.length !== 512 || data[511] !== call % 1000) throw new Error(`call ${call}: wrong output`);
    };
    const withIdentity = async (body: (identity: Session) => Promise<void>): Promise<void> => {
      const identity = await Session.create(generatedModel('identity-float32'), { intraOpThreads: 1 });
      try {
        await body(identity);
      } finally {
        await identity.close();
      }
    };

    it('100,000 run calls, 8 in flight at a time', () =>
      withIdentity((identity) =>
        expectNoGrowth(100_000, async (from, to) => {
          for (let call = from; call < to; call += 8) {
            const batch = Array.from({ length: Math.min(8, to - call) }, (_, offset) => identity.run({ x: input(call + offset) }));
            (await Promise.all(batch)).forEach((result, offset) => check(result['y'], call + offset));
          }
        }),
      ));

    // Outputs over 1 KiB are ONNX Runtime's memory handed to JS without a copy; Node releases an
    // external buffer when it is collected *and* the thread's event loop next turns. A worker
    // that runs tasks returns to its loop between them; this loop does the same every 1,000
    // calls. (A loop that never yields holds every output until it does: README, "Memory".)
    it('100,000 runSync calls, yielding to the event loop every 1,000', () =>
      withIdentity((identity) =>
        expectNoGrowth(100_000, async (from, to) => {
          for (let call = from; call < to; call++) {
            check(identity.runSync({ x: input(call) })['y'], call);
            if (call % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
          }
          // Outputs awaiting release between GCs set a high-water mark (~30 MB here) that is
          // mostly reached within 50,000 calls: warm up past it, so that only growth beyond it
          // counts. What it still moves afterwards depends on when GCs fall: 3-14 MiB over 14
          // runs of this test alone, on this code and on the code before runSync's staging buffer
          // alike, and 21 MiB once in a full CI run. Hence a bound of its own, still a fifth of
          // what leaking one 2 KiB output per call would add (195 MiB).
        }, { warmupCalls: 50_000, rssBoundBytes: kExternalRssBoundBytes }),
      ));
  });

  it('10,000 runs that ONNX Runtime fails (JS heap only: see the top of the file)', async () => {
    // Reshape of 16 values to [5,5] fails inside ORT. Each rejection builds an error with ORT's
    // ~600-character message (> 1 KB): a leaked one per call would be > 10 MB here.
    const shape = new Tensor('int64', new BigInt64Array([5n, 5n]), [2]);
    await expectNoGrowth(10_000, async (from, to) => {
      for (let call = from; call < to; call++) {
        const data = new Tensor('float32', new Float32Array(16), [16]);
        const outcome = await failing.run({ data, shape }).then(
          () => 'resolved',
          (error: { code?: string }) => error.code,
        );
        if (outcome !== 'ERR_INFERLINE_ORT') throw new Error(`call ${call}: expected ERR_INFERLINE_ORT, got ${outcome}`);
      }
    }, { checkRss: false });
  });
});
