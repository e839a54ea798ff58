// Inputs are read in place; outputs are handed over without a copy (large ones wrap ONNX Runtime's
// memory in an external ArrayBuffer, those of 1 KiB or less are copied, which is cheaper). These
// check what a user can see, for both kinds of output: an input view is read at its own offset, a
// SharedArrayBuffer works, and each output owns its memory (not shared with later runs, with the
// input, or with the closed session).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kOptions = { intraOpThreads: 1 };

interface Case {
  what: string;
  model: string;
  dims: [number, number];
  /** What the model computes, in JS. */
  reference: (x: Float32Array) => Float32Array;
}

const kCases: Case[] = [
  { what: 'add [1,16], 64 B outputs (copied)', model: 'add', dims: [1, 16], reference: (x) => x.map((v) => v + 1) },
  { what: 'identity [32,64], 8 KiB outputs (external)', model: 'identity-float32', dims: [32, 64], reference: (x) => x.slice() },
];

describe.each(kCases)('$what', ({ model, dims, reference }) => {
  const count = dims[0] * dims[1];
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel(model), kOptions);
  });
  afterAll(() => session.close());

  const tensor = (data: Float32Array): Tensor => new Tensor('float32', data, dims);
  const expectY = (result: Record<string, Tensor>, input: Float32Array, what: string): void =>
    expectSameTensor(result['y']!, { type: 'float32', dims, data: reference(input) }, what);

  it('each output has its own ArrayBuffer of exactly its size; later runs do not overwrite it', async () => {
    const first = randomFloat32(count, 1);
    const second = randomFloat32(count, 2);
    const y1 = (await session.run({ x: tensor(first) }))['y']!;
    const y2 = (await session.run({ x: tensor(second) }))['y']!;
    const y3 = session.runSync({ x: tensor(second) })['y']!;
    const arrays = [y1, y2, y3].map((y) => y.data as Float32Array);
    expect(new Set(arrays.map((array) => array.buffer)).size).toBe(3);
    expect(arrays.every((array) => array.buffer !== first.buffer && array.buffer !== second.buffer)).toBe(true);
    for (const array of arrays) {
      expect(array.byteOffset).toBe(0);
      expect(array.buffer.byteLength).toBe(count * 4);
    }
    expectY({ y: y1 }, first, 'first output after later runs');
  });

  it('mutating the input after runSync (or after run resolved) leaves the outputs alone', async () => {
    const values = randomFloat32(count, 4);
    const snapshot = values.slice();
    const viaSync = session.runSync({ x: tensor(values) });
    const viaRun = await session.run({ x: tensor(values) });
    values.fill(1000);
    expectY(viaSync, snapshot, 'runSync output');
    expectY(viaRun, snapshot, 'run output');
  });

  it('writing into an output does not affect the next run', async () => {
    const values = randomFloat32(count, 5);
    const first = (await session.run({ x: tensor(values) }))['y']!;
    (first.data as Float32Array).fill(-7);
    expectY(await session.run({ x: tensor(values) }), values, 'next run');
  });

  it('a view with a byteOffset into a larger ArrayBuffer is read at its offset', async () => {
    // Other data on both sides of the view: reading from the buffer's start, or past the view,
    // gives different outputs.
    const buffer = new ArrayBuffer(64 + count * 4 + 64);
    new Float32Array(buffer).fill(-99);
    const view = new Float32Array(buffer, 64, count);
    view.set(randomFloat32(count, 6));
    const copy = view.slice();
    expectY(session.runSync({ x: tensor(view) }), copy, 'view, runSync');
    expectY(await session.run({ x: tensor(view) }), copy, 'view, run');
  });

  it('a subarray() of a larger typed array is read at its offset', async () => {
    const slice = randomFloat32(count + 100, 7).subarray(37, 37 + count);
    expectY(await session.run({ x: tensor(slice) }), slice.slice(), 'subarray');
  });

  it('a SharedArrayBuffer-backed input works with runSync', () => {
    const shared = new Float32Array(new SharedArrayBuffer(count * 4));
    shared.set(randomFloat32(count, 8));
    expectY(session.runSync({ x: tensor(shared) }), shared.slice(), 'SharedArrayBuffer, runSync');
  });

  it('a SharedArrayBuffer-backed input works with run, also as a view at an offset', async () => {
    const shared = new Float32Array(new SharedArrayBuffer(count * 4));
    shared.set(randomFloat32(count, 9));
    expectY(await session.run({ x: tensor(shared) }), shared.slice(), 'SharedArrayBuffer, run');
    const view = new Float32Array(new SharedArrayBuffer((count + 32) * 4), 16 * 4, count);
    view.set(randomFloat32(count, 10));
    expectY(await session.run({ x: tensor(view) }), view.slice(), 'SharedArrayBuffer view, run');
  });
});

describe('outputs outlive their session', () => {
  it('a large (external) output stays intact after close() and a full GC', async () => {
    const session = await Session.create(generatedModel('mlp'), kOptions);
    const y = (await session.run({ x: new Tensor('float32', randomFloat32(3 * 256, 10), [3, 256]) }))['y']!;
    const copy = (y.data as Float32Array).slice();
    await session.close();
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    // More runs on another session: memory freed with the first session would be reused now.
    const other = await Session.create(generatedModel('mlp'), kOptions);
    for (let run = 0; run < 20; run++) await other.run({ x: new Tensor('float32', randomFloat32(3 * 256, run), [3, 256]) });
    await other.close();
    expectSameTensor(y, { type: 'float32', dims: [3, 256], data: copy }, 'output after close');
  });
});
