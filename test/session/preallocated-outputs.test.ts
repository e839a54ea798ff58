// run(feeds, { outputs }): a list of names fetches only those outputs; { name: Tensor } has ONNX
// Runtime write into the caller's tensor, which is returned as the result (same object).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferlineError, Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kOptions = { intraOpThreads: 1 };

/** A float32 tensor filled with NaN, so data ORT did not write cannot pass for an output. */
function nanTensor(shape: number[]): Tensor {
  return new Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(Number.NaN), shape);
}

async function rejectionOf(promise: Promise<unknown>): Promise<InferlineError> {
  return promise.then(
    () => expect.unreachable('expected the run to reject'),
    (error: unknown) => error as InferlineError,
  );
}

describe('preallocated outputs (MLP)', () => {
  let session: Session;
  const x = new Tensor('float32', randomFloat32(2 * 256, 42), [2, 256]);
  beforeAll(async () => {
    // logLevel fatal: the wrong-shape cases below make ONNX Runtime log an error we expect.
    session = await Session.create(generatedModel('mlp'), { ...kOptions, logLevel: 'fatal' });
  });
  afterAll(() => session.close());

  it('run writes into the given Tensor and returns that same object', async () => {
    const expected = (await session.run({ x }))['y']!;
    const y = nanTensor([2, 256]);
    const dataBefore = y.data;
    const result = await session.run({ x }, { outputs: { y } });
    expect(Object.keys(result)).toEqual(['y']);
    expect(result['y']).toBe(y);
    expect(y.data).toBe(dataBefore); // written in place, not replaced
    expectSameTensor(y, expected, 'preallocated y');
  });

  it('runSync does the same', () => {
    const expected = session.runSync({ x })['y']!;
    const y = nanTensor([2, 256]);
    const result = session.runSync({ x }, { outputs: { y } });
    expect(result['y']).toBe(y);
    expectSameTensor(y, expected, 'preallocated y (runSync)');
  });

  it('the same preallocated tensor can be reused run after run', async () => {
    const y = nanTensor([2, 256]);
    for (const seed of [1, 2, 3]) {
      const input = new Tensor('float32', randomFloat32(2 * 256, seed), [2, 256]);
      await session.run({ x: input }, { outputs: { y } });
      expectSameTensor(y, session.runSync({ x: input })['y']!, `reuse, input ${seed}`);
    }
  });

  it('a preallocated tensor whose shape contradicts the declared one rejects, naming the output', async () => {
    // Declared y: [N,256]; 128 columns can never fit.
    const error = await rejectionOf(session.run({ x }, { outputs: { y: nanTensor([2, 128]) } }));
    expect(error.code).toMatch(/^ERR_INFERLINE_/);
    expect(error.message).toContain('"y"');
  });

  it('a preallocated tensor with the wrong batch size (fits the declaration, not this run) rejects, naming the output', async () => {
    const y = nanTensor([3, 256]);
    const error = await rejectionOf(session.run({ x }, { outputs: { y } }));
    // ONNX Runtime finds this one (ERR_INFERLINE_ORT, its message kept): it quotes the output 'y'.
    expect(error.code).toMatch(/^ERR_INFERLINE_/);
    expect(error.message).toMatch(/["']y["']/);
    // The session is still usable afterwards.
    expect((await session.run({ x }))['y']!.shape).toEqual([2, 256]);
  });

  it('a preallocated tensor of the wrong dtype rejects with ERR_INFERLINE_DTYPE_MISMATCH', async () => {
    const y = new Tensor('float64', new Float64Array(512), [2, 256]);
    const error = await rejectionOf(session.run({ x }, { outputs: { y } }));
    expect(error.code).toBe('ERR_INFERLINE_DTYPE_MISMATCH');
    expect(error.message).toContain('"y"');
  });

  it('an unknown output name rejects with ERR_INFERLINE_UNKNOWN_OUTPUT naming the real ones', async () => {
    const error = await rejectionOf(session.run({ x }, { outputs: ['z'] }));
    expect(error.code).toBe('ERR_INFERLINE_UNKNOWN_OUTPUT');
    expect(error.message).toContain('"y"');
  });
});

describe('selecting outputs (multi-io: sum and prod)', () => {
  let session: Session;
  const feeds = {
    a: new Tensor('float32', randomFloat32(12, 1), [3, 4]),
    b: new Tensor('float32', randomFloat32(12, 2), [3, 4]),
  };
  beforeAll(async () => {
    session = await Session.create(generatedModel('multi-io'), kOptions);
  });
  afterAll(() => session.close());

  it.each(['sum', 'prod'])("outputs: ['%s'] returns only that output, equal to the full run's", async (name) => {
    const all = await session.run(feeds);
    const one = await session.run(feeds, { outputs: [name] });
    expect(Object.keys(one)).toEqual([name]);
    expectSameTensor(one[name]!, all[name]!, name);
    const oneSync = session.runSync(feeds, { outputs: [name] });
    expect(Object.keys(oneSync)).toEqual([name]);
    expectSameTensor(oneSync[name]!, all[name]!, `${name} (runSync)`);
  });

  it('preallocating only prod returns only prod, written into the given tensor', async () => {
    const all = await session.run(feeds);
    const prod = nanTensor([3, 4]);
    const result = await session.run(feeds, { outputs: { prod } });
    expect(Object.keys(result)).toEqual(['prod']);
    expect(result['prod']).toBe(prod);
    expectSameTensor(prod, all['prod']!, 'prod');
  });
});
