// The staged path (native/session/sync_runner.h) that runSync takes, and run() too when it has no
// abort signal (native/session/staged_run_plan.h): it reuses an input's OrtValue while the same
// memory comes back with the same dims, copies small outputs through a staging buffer it shares
// with JS, hands large ones over as their own ArrayBuffers, and once output shapes are known has
// ORT write into the buffer. None of that may show: each case runs through both calls, against
// expected values and against run() with a signal, which takes the other path (RunPlan).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Feeds, type Results, Session, Tensor } from '../../src/index.js';
import { buildModel } from '../fixtures/onnx-writer.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kOptions = { intraOpThreads: 1 };
const kFanOut = 6;

/** x float32 [N,M] → y0 … y5, each Identity(x): six outputs of one size. */
function fanOutModel(): Uint8Array {
  const names = Array.from({ length: kFanOut }, (_, i) => `y${i}`);
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 'M'] }],
    outputs: names.map((name) => ({ name, dtype: 'float32', shape: ['N', 'M'] }) as const),
    nodes: names.map((name) => ({ op: 'Identity', inputs: ['x'], outputs: [name] })),
  });
}

/** data float32 [N], shape int64 [K] → y = Reshape(data, shape), its rank not declared at all. */
function unknownRankModel(): Uint8Array {
  return buildModel({
    inputs: [
      { name: 'data', dtype: 'float32', shape: ['N'] },
      { name: 'shape', dtype: 'int64', shape: ['K'] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: null }],
    nodes: [{ op: 'Reshape', inputs: ['data', 'shape'], outputs: ['y'] }],
  });
}

type Call = (session: Session, feeds: Feeds, options?: { outputs?: string[] }) => Promise<Results>;

const kCalls: Array<[string, Call]> = [
  ['runSync', async (session, feeds, options) => session.runSync(feeds, options)],
  ['run', (session, feeds, options) => session.run(feeds, options)],
];

/** The reference: run() with an abort signal takes RunPlan, not the staged path. */
function reference(session: Session, feeds: Feeds): Promise<Results> {
  return session.run(feeds, { signal: new AbortController().signal });
}

describe.each(kCalls)('%s on the staged path', (_name, call) => {
  let add: Session;
  let identity: Session;
  let strings: Session;
  let fanOut: Session;
  let unknownRank: Session;
  beforeAll(async () => {
    [add, identity, strings, fanOut, unknownRank] = await Promise.all([
      Session.create(generatedModel('add'), kOptions),
      Session.create(generatedModel('identity-float32'), kOptions),
      Session.create(generatedModel('string'), kOptions),
      Session.create(fanOutModel(), kOptions),
      Session.create(unknownRankModel(), kOptions),
    ]);
  });
  afterAll(() => Promise.all([add, identity, strings, fanOut, unknownRank].map((session) => session.close())));

  it('reads the input afresh on every call, though the same array comes back each time', async () => {
    const x = new Float32Array(16);
    const feeds = { x: new Tensor('float32', x, [1, 16]) };
    for (let round = 0; round < 5; round++) {
      x.fill(round * 10);
      const y = (await call(add, feeds))['y']!.data as Float32Array;
      expect(Array.from(y), `round ${round}`).toEqual(new Array(16).fill(round * 10 + 1));
    }
  });

  it('follows new dims over the same memory, and views of one buffer at different offsets', async () => {
    const buffer = Float32Array.from({ length: 32 }, (_, i) => i);
    const whole = buffer.subarray(0, 16);
    for (const dims of [[1, 16], [2, 8], [4, 4], [16, 1], [1, 16]] as const) {
      const { y } = await call(identity, { x: new Tensor('float32', whole, dims) });
      expect(y!.shape, `dims ${dims.join('x')}`).toEqual(dims);
      expect(Array.from(y!.data as Float32Array)).toEqual(Array.from(whole));
    }
    for (const offset of [0, 4, 16, 8]) {
      const view = buffer.subarray(offset, offset + 16);
      const { y } = await call(identity, { x: new Tensor('float32', view, [4, 4]) });
      expect(Array.from(y!.data as Float32Array), `offset ${offset}`).toEqual(Array.from(view));
    }
  });

  it('gives each output its own copy: later calls do not change earlier results', async () => {
    const first = (await call(add, { x: new Tensor('float32', new Float32Array(16).fill(1), [1, 16]) }))['y']!;
    const second = (await call(add, { x: new Tensor('float32', new Float32Array(16).fill(2), [1, 16]) }))['y']!;
    expect(Array.from(first.data as Float32Array)).toEqual(new Array(16).fill(2));
    expect(Array.from(second.data as Float32Array)).toEqual(new Array(16).fill(3));
    expect(first.data.buffer).not.toBe(second.data.buffer);
    expect((first.data as Float32Array).buffer.byteLength).toBe(64);
  });

  it.each([
    ['all small enough to copy through the staging buffer', 1, 64],
    ['1 KiB each: four fill the staging buffer, two get their own', 4, 64],
    ['over 1 KiB each: all handed over whole', 8, 64],
    ['empty', 0, 64],
  ])('six outputs, %s, equal the reference\'s', async (_what, rows, columns) => {
    const x = new Tensor('float32', randomFloat32(rows * columns, rows + 1), [rows, columns]);
    const viaSync = await call(fanOut, { x });
    const viaRun = await reference(fanOut, { x });
    expect(Object.keys(viaSync)).toEqual(Array.from({ length: kFanOut }, (_, i) => `y${i}`));
    for (const name of Object.keys(viaRun)) {
      expectSameTensor(viaSync[name]!, viaRun[name]!, name);
      expectSameTensor(viaSync[name]!, x, `${name} = x`);
    }
    const buffers = new Set(Object.values(viaSync).map((tensor) => tensor.data.buffer));
    expect(buffers.size).toBe(kFanOut);
  });

  it('fetches a subset of outputs, in the order asked', async () => {
    const x = new Tensor('float32', randomFloat32(8, 3), [2, 4]);
    const result = await call(fanOut, { x }, { outputs: ['y4', 'y1'] });
    expect(Object.keys(result)).toEqual(['y4', 'y1']);
    expectSameTensor(result['y4']!, x, 'y4');
    expectSameTensor(result['y1']!, x, 'y1');
  });

  it('returns outputs whose rank the model leaves open, however long their shape', async () => {
    const data = Float32Array.from({ length: 16 }, (_, i) => i);
    for (const shape of [[16], [2, 8], [1, 1, 1, 1, 2, 8], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 16]]) {
      const feeds = { data: new Tensor('float32', data, [16]), shape: new Tensor('int64', BigInt64Array.from(shape, BigInt), [shape.length]) };
      const { y } = await call(unknownRank, feeds);
      expect(y!.shape, `shape ${shape.join('x')}`).toEqual(shape);
      expectSameTensor(y!, (await reference(unknownRank, feeds))['y']!, `shape ${shape.join('x')}`);
    }
  });

  it('follows output shapes that depend on input values, not only on input dims', async () => {
    // Same input dims every time, so shapes seen before would predict [2,8] again: they must not.
    const data = Float32Array.from({ length: 16 }, (_, i) => i);
    for (const shape of [[2, 8], [2, 8], [4, 4], [8, 2], [8, 2], [2, 8], [16, 1]]) {
      const feeds = { data: new Tensor('float32', data, [16]), shape: new Tensor('int64', BigInt64Array.from(shape, BigInt), [2]) };
      const { y } = await call(unknownRank, feeds);
      expect(y!.shape, `shape ${shape.join('x')}`).toEqual(shape);
      expectSameTensor(y!, (await reference(unknownRank, feeds))['y']!, `shape ${shape.join('x')}`);
    }
  });

  it('keeps a failing run\'s error when the inputs are what fails, shapes predicted or not', async () => {
    const data = new Tensor('float32', new Float32Array(16), [16]);
    const good = { data, shape: new Tensor('int64', BigInt64Array.from([4n, 4n]), [2]) };
    const bad = { data, shape: new Tensor('int64', BigInt64Array.from([3n, 3n]), [2]) };
    for (let i = 0; i < 3; i++) {
      expect((await call(unknownRank, good))['y']!.shape).toEqual([4, 4]);
      await expect(call(unknownRank, bad)).rejects.toThrow(expect.objectContaining({ code: 'ERR_INFERLINE_ORT' }));
    }
  });

  it('returns a graph input passed straight through as an output, and a constant output', async () => {
    const session = await Session.create(buildModel({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 'M'] }],
      outputs: [{ name: 'x', dtype: 'float32', shape: ['N', 'M'] }, { name: 'c', dtype: 'float32', shape: [3] }],
      nodes: [{ op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: { tensor: { name: 'c', dtype: 'float32', dims: [3], data: new Float32Array([1, 2, 3]) } } } }],
    }), kOptions);
    try {
      for (const dims of [[2, 8], [2, 8], [4, 4], [4, 4], [16, 1]] as const) {
        const x = new Tensor('float32', randomFloat32(16, dims[0]), dims);
        const result = await call(session, { x });
        expectSameTensor(result['x']!, x, `x ${dims.join('x')}`);
        expect(Array.from(result['c']!.data as Float32Array)).toEqual([1, 2, 3]);
      }
    } finally {
      await session.close();
    }
  });

  it('runs a model without inputs, again and again', async () => {
    const session = await Session.create(buildModel({
      inputs: [],
      outputs: [{ name: 'c', dtype: 'float32', shape: [3] }],
      nodes: [{ op: 'Constant', inputs: [], outputs: ['c'], attrs: { value: { tensor: { name: 'c', dtype: 'float32', dims: [3], data: new Float32Array([1, 2, 3]) } } } }],
    }), kOptions);
    try {
      for (let i = 0; i < 3; i++) expect(Array.from((await call(session, {}))['c']!.data as Float32Array)).toEqual([1, 2, 3]);
    } finally {
      await session.close();
    }
  });

  it('carries string tensors (the model upper-cases them)', async () => {
    const feeds = { x: new Tensor('string', ['a', '', 'ünïcödé'], [3]) };
    const { y } = await call(strings, feeds);
    expect(y!.data).toEqual(['A', '', 'ÜNÏCÖDÉ']);
    expectSameTensor(y!, (await reference(strings, feeds))['y']!, 'strings');
  });

  it('answers a call made from inside a feed\'s getter, and the outer call too', async () => {
    let inner: Promise<Results> | undefined;
    const feeds = {
      get x(): Tensor {
        inner = call(add, { x: new Tensor('float32', new Float32Array(16).fill(5), [1, 16]) });
        return new Tensor('float32', new Float32Array(16).fill(7), [1, 16]);
      },
    };
    const outer = (await call(add, feeds))['y']!.data as Float32Array;
    expect(Array.from((await inner!)['y']!.data as Float32Array)).toEqual(new Array(16).fill(6));
    expect(Array.from(outer)).toEqual(new Array(16).fill(8));
  });

  it('answers many calls in flight at once, each with its own input, dims and outputs', async () => {
    const shapes = [[1, 16], [2, 8], [4, 4], [8, 64], [1, 16], [16, 1], [2, 8], [32, 32]] as const;
    const feeds = Array.from({ length: 48 }, (_, i) => {
      const dims = shapes[i % shapes.length]!;
      return { x: new Tensor('float32', randomFloat32(dims[0] * dims[1], 100 + i), dims) };
    });
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(feeds.map((feed) => call(fanOut, feed)));
      results.forEach((result, i) => {
        for (const name of ['y0', 'y5']) expectSameTensor(result[name]!, feeds[i]!.x, `round ${round} call ${i} ${name}`);
      });
    }
  });
});
