// Many runs in flight at once: each result must reach the caller whose input produced it. Every
// input is different, so a result delivered to the wrong promise (or outputs mixed between
// concurrent runs) shows up as a mismatch with runSync on that caller's input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

// One intra-op thread: ONNX Runtime is then deterministic, so run and runSync agree bit for bit.
const kOptions = { intraOpThreads: 1 };

function mlpInput(seed: number, batch = 1): Tensor {
  return new Tensor('float32', randomFloat32(batch * 256, seed), [batch, 256]);
}

describe('concurrent runs on one session', () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel('mlp'), kOptions);
  });
  afterAll(() => session.close());

  it('64 concurrent run() calls each get the output of their own input', async () => {
    const inputs = Array.from({ length: 64 }, (_, caller) => mlpInput(1000 + caller, 1 + (caller % 3)));
    const results = await Promise.all(inputs.map((x) => session.run({ x })));
    results.forEach((result, caller) => {
      expectSameTensor(result['y']!, session.runSync({ x: inputs[caller]! })['y']!, `caller ${caller}`);
    });
    // The inputs really differ, so a swapped result could not pass by accident.
    const first = results[0]!['y']!.data as Float32Array;
    const second = results[3]!['y']!.data as Float32Array;
    expect(Buffer.from(first.buffer).equals(Buffer.from(second.buffer))).toBe(false);
  });

  it('results arrive through the right promise even when awaited in reverse order', async () => {
    const inputs = Array.from({ length: 32 }, (_, caller) => mlpInput(2000 + caller));
    const pending = inputs.map((x) => session.run({ x }));
    for (let caller = inputs.length - 1; caller >= 0; caller--) {
      expectSameTensor((await pending[caller]!)['y']!, session.runSync({ x: inputs[caller]! })['y']!, `caller ${caller}`);
    }
  });
});

describe('many sessions at once', () => {
  it('16 sessions on 3 models, 4 runs each in flight together, all correct', async () => {
    const models = ['mlp', 'add', 'multi-io'] as const;
    const sessions = await Promise.all(
      Array.from({ length: 16 }, (_, index) => Session.create(generatedModel(models[index % 3]!), kOptions)),
    );
    try {
      const feedsFor = (index: number, run: number): Record<string, Tensor> => {
        const seed = 3000 + index * 10 + run;
        switch (models[index % 3]) {
          case 'mlp':
            return { x: mlpInput(seed) };
          case 'add':
            return { x: new Tensor('float32', randomFloat32(16, seed), [1, 16]) };
          default:
            return {
              a: new Tensor('float32', randomFloat32(8, seed), [2, 4]),
              b: new Tensor('float32', randomFloat32(8, seed + 5000), [2, 4]),
            };
        }
      };
      const jobs = sessions.flatMap((session, index) =>
        Array.from({ length: 4 }, (_, run) => {
          const feeds = feedsFor(index, run);
          return session.run(feeds).then((result) => ({ session, feeds, result, what: `session ${index} run ${run}` }));
        }),
      );
      for (const { session, feeds, result, what } of await Promise.all(jobs)) {
        const expected = session.runSync(feeds);
        expect(Object.keys(result)).toEqual(Object.keys(expected));
        for (const name of Object.keys(expected)) expectSameTensor(result[name]!, expected[name]!, `${what} "${name}"`);
      }
    } finally {
      await Promise.all(sessions.map((session) => session.close()));
    }
  });
});
