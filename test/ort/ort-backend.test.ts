// inferline/ort is onnxruntime-node's API running on inferline. This file is written as
// onnxruntime-node user code (`ort.InferenceSession`, `ort.Tensor`) and checks three things: the
// results are onnxruntime-common Tensors, bit-identical to onnxruntime-node's on the same input
// (same libonnxruntime, one intra-op thread: any difference is ours); fetches, preallocated
// outputs, run options and release() behave as onnxruntime-common documents; and inferline, not
// onnxruntime-node, ran the model, even with onnxruntime-node imported in the same process.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from '../../src/ort/index.js';
import { InferlineError } from '../../src/index.js';
import { kAllDTypes } from '../fixtures/onnx-dtypes.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';
import { randomData, randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const require = createRequire(import.meta.url);

const kOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const kNodeOptions: ortNode.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

const count = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function float32(dims: number[], seed: number): ort.Tensor {
  return new ort.Tensor('float32', randomFloat32(count(dims), seed), dims);
}

/** The same data as an onnxruntime-node Tensor (its own copy of onnxruntime-common's class). */
function asNodeTensor(tensor: ort.Tensor): ortNode.Tensor {
  return new ortNode.Tensor(tensor.type as 'float32', tensor.data as Float32Array, tensor.dims);
}

function asNodeFeeds(feeds: Record<string, ort.Tensor>): Record<string, ortNode.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, asNodeTensor(tensor)]));
}

/** Resolves with the error a promise rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

function expectCode(error: unknown, code: string): void {
  expect(error).toBeInstanceOf(InferlineError);
  expect((error as InferlineError).code).toBe(code);
}

/**
 * True if `run` had settled when an immediate queued right after starting it fired. inferline's
 * run is on its own threads by then; onnxruntime-node's is a setImmediate queued ahead of ours
 * around a blocking call, so it has always finished.
 */
async function settledBeforeNextImmediate(run: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const tracked = run.finally(() => {
    settled = true;
  });
  const atImmediate = await new Promise<boolean>((resolve) => setImmediate(() => resolve(settled)));
  await tracked;
  return atImmediate;
}

/** Runs `model` on both libraries and asserts every output is an ort.Tensor equal to theirs. */
async function expectSameAsOnnxruntimeNode(model: string | Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
  const ours = await ort.InferenceSession.create(model as string, kOptions);
  const theirs = await ortNode.InferenceSession.create(model as string, kNodeOptions);
  try {
    const expected = await theirs.run(asNodeFeeds(feeds));
    const actual = await ours.run(feeds);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const name of Object.keys(expected)) {
      expect(actual[name]).toBeInstanceOf(ort.Tensor);
      expectSameTensor(actual[name]!, expected[name]!, `output "${name}"`);
    }
    return actual;
  } finally {
    await ours.release();
    await theirs.release();
  }
}

describe('outputs equal onnxruntime-node, byte for byte', () => {
  it.each([
    ['batch 1', [1, 3, 48, 192]],
    ['batch 4', [4, 3, 48, 192]],
  ])('PP-OCR direction classifier, %s', async (_what, dims) => {
    const { 'softmax_0.tmp_0': probabilities } = await expectSameAsOnnxruntimeNode(kRealModels.ocrCls, { x: float32(dims, 7) });
    expect(probabilities!.dims).toEqual([dims[0], 2]);
  });

  it('generated MLP, from its path', async () => {
    await expectSameAsOnnxruntimeNode(generatedModel('mlp'), { x: float32([3, 256], 8) });
  });

  it('generated MLP, from its bytes (Uint8Array)', async () => {
    await expectSameAsOnnxruntimeNode(readFileSync(generatedModel('mlp')), { x: float32([2, 256], 9) });
  });

  it('generated MLP, from an ArrayBuffer slice (create(buffer, byteOffset, byteLength))', async () => {
    const bytes = readFileSync(generatedModel('mlp'));
    const padded = new Uint8Array(bytes.byteLength + 24);
    padded.set(bytes, 16);
    const session = await ort.InferenceSession.create(padded.buffer, 16, bytes.byteLength, kOptions);
    try {
      const { y } = await session.run({ x: float32([1, 256], 10) });
      expect(y!.dims).toEqual([1, 256]);
    } finally {
      await session.release();
    }
  });

  // bfloat16 has no onnxruntime-common Tensor type; see the refusal test below.
  it.each(kAllDTypes.filter((dtype) => dtype !== 'bfloat16'))('identity model round-trips %s', async (dtype) => {
    const dims = [2, 3];
    const x = new ort.Tensor(dtype as 'float32', randomData(dtype, count(dims), 21) as Float32Array, dims);
    const { y } = await expectSameAsOnnxruntimeNode(generatedModel(`identity-${dtype}`), { x });
    expect(y!.type).toBe(dtype);
  });
});

describe('one session, as onnxruntime-node user code drives it', () => {
  let session: ort.InferenceSession;
  let theirs: ortNode.InferenceSession;
  const feeds = { a: float32([2, 4], 31), b: float32([2, 4], 32) };
  let expected: ortNode.InferenceSession.ReturnType;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(generatedModel('multi-io'), kOptions);
    theirs = await ortNode.InferenceSession.create(generatedModel('multi-io'), kNodeOptions);
    expected = await theirs.run(asNodeFeeds(feeds));
  });
  afterAll(async () => {
    await session.release();
    await theirs.release();
  });

  it('names its inputs and outputs, and describes them as onnxruntime-node does', () => {
    expect(session.inputNames).toEqual(['a', 'b']);
    expect(session.outputNames).toEqual(['sum', 'prod']);
    expect(session.inputMetadata).toEqual(theirs.inputMetadata);
    expect(session.outputMetadata).toEqual(theirs.outputMetadata);
  });

  it('fetches a subset named in an array', async () => {
    const results = await session.run(feeds, ['prod']);
    expect(Object.keys(results)).toEqual(['prod']);
    expectSameTensor(results.prod!, expected.prod!, 'prod');
  });

  it('fetches a subset named in an object of nulls', async () => {
    const results = await session.run(feeds, { sum: null });
    expect(Object.keys(results)).toEqual(['sum']);
    expectSameTensor(results.sum!, expected.sum!, 'sum');
  });

  it('writes into a preallocated output Tensor and returns that very Tensor', async () => {
    const prod = new ort.Tensor('float32', new Float32Array(8), [2, 4]);
    const results = await session.run(feeds, { prod, sum: null });
    expect(results.prod).toBe(prod);
    expectSameTensor(prod, expected.prod!, 'preallocated prod');
    expectSameTensor(results.sum!, expected.sum!, 'sum next to it');
  });

  it('accepts feeds made by onnxruntime-node (the CommonJS copy of onnxruntime-common)', async () => {
    const results = await session.run(asNodeFeeds(feeds) as unknown as Record<string, ort.Tensor>);
    expectSameTensor(results.sum!, expected.sum!, 'sum');
  });

  it('accepts plain { type, data, dims } feeds, as onnxruntime-node does', async () => {
    const plain = { a: { type: 'float32', data: feeds.a.data, dims: feeds.a.dims }, b: feeds.b };
    const results = await session.run(plain as unknown as Record<string, ort.Tensor>);
    expectSameTensor(results.prod!, expected.prod!, 'prod');
  });

  it("rejects a wrong dtype with inferline's error", async () => {
    const error = await rejectionOf(session.run({ a: new ort.Tensor('int32', new Int32Array(8), [2, 4]), b: feeds.b }));
    expectCode(error, 'ERR_INFERLINE_DTYPE_MISMATCH');
    expect((error as Error).message).toContain('input "a"');
  });

  it('rejects a disposed feed Tensor, naming the input', async () => {
    const disposed = float32([2, 4], 33);
    disposed.dispose();
    const error = await rejectionOf(session.run({ a: disposed, b: feeds.b }));
    expectCode(error, 'ERR_INFERLINE_INVALID_TENSOR');
    expect((error as Error).message).toContain('input "a"');
  });

  it('RunOptions.terminate rejects with ERR_INFERLINE_ABORTED; the next run is unaffected', async () => {
    expectCode(await rejectionOf(session.run(feeds, { terminate: true })), 'ERR_INFERLINE_ABORTED');
    expectCode(await rejectionOf(session.run(feeds, ['sum'], { terminate: true })), 'ERR_INFERLINE_ABORTED');
    const results = await session.run(feeds, { terminate: false, logSeverityLevel: 3, tag: 'ignored' });
    expectSameTensor(results.sum!, expected.sum!, 'sum');
  });
});

describe('refusing what onnxruntime-common cannot carry', () => {
  it('a bfloat16 output rejects with ERR_INFERLINE_UNSUPPORTED, before running', async () => {
    const session = await ort.InferenceSession.create(generatedModel('identity-bfloat16'), kOptions);
    try {
      expect(session.outputMetadata).toEqual([{ name: 'y', isTensor: true, type: 'bfloat16', shape: ['N', 'M'] }]);
      const x = { type: 'bfloat16', data: new Uint16Array(4), dims: [2, 2] } as unknown as ort.Tensor;
      const error = await rejectionOf(session.run({ x }));
      expectCode(error, 'ERR_INFERLINE_UNSUPPORTED');
      expect((error as Error).message).toMatch(/output "y" is bfloat16/);
    } finally {
      await session.release();
    }
  });
});

describe('release()', () => {
  it('closes the session: a later run rejects with ERR_INFERLINE_SESSION_CLOSED', async () => {
    const session = await ort.InferenceSession.create(generatedModel('add'), kOptions);
    const x = new ort.Tensor('float32', new Float32Array(16), [1, 16]);
    await session.run({ x });
    await session.release();
    expectCode(await rejectionOf(session.run({ x })), 'ERR_INFERLINE_SESSION_CLOSED');
    await session.release(); // a second release is harmless
  });

  it('waits for a run in flight, which completes', async () => {
    const session = await ort.InferenceSession.create(generatedModel('slow'), kOptions);
    const run = session.run({ x: float32([64, 512], 41) });
    await session.release();
    const { y } = await run;
    expect(y!.dims).toEqual([64, 512]);
  });
});

describe('inferline, not onnxruntime-node, runs the model', () => {
  it('the event loop turns during a run of the slow model', async () => {
    const session = await ort.InferenceSession.create(generatedModel('slow'), kOptions);
    try {
      // A whole inference (tens of ms) runs on inferline's threads; the immediate needs microseconds.
      expect(await settledBeforeNextImmediate(session.run({ x: float32([512, 512], 51) }))).toBe(false);
    } finally {
      await session.release();
    }
  });

  it("contrast: onnxruntime-node's run finishes inside the turn it starts in, before that immediate", async () => {
    const session = await ortNode.InferenceSession.create(generatedModel('slow'), kNodeOptions);
    try {
      // Its run is a setImmediate around a blocking call, queued ahead of ours: done before ours fires.
      expect(await settledBeforeNextImmediate(session.run({ x: asNodeTensor(float32([64, 512], 52)) }))).toBe(true);
    } finally {
      await session.release();
    }
  });

  it('an AbortSignal in the run options (inferline addition) stops a run', async () => {
    const session = await ort.InferenceSession.create(generatedModel('slow'), kOptions);
    try {
      const controller = new AbortController();
      const options: ort.InferlineRunOptions = { signal: controller.signal };
      const run = session.run({ x: float32([512, 512], 53) }, options);
      controller.abort();
      expectCode(await rejectionOf(run), 'ERR_INFERLINE_ABORTED');
    } finally {
      await session.release();
    }
  });

  it('onnxruntime-node imported in the same process keeps its own registry; ours stays inferline', async () => {
    // `ortNode` is imported at the top of this file, before anything ran.
    const session = await ort.InferenceSession.create(generatedModel('add'), kOptions);
    try {
      const error = await rejectionOf(session.run({ x: new ort.Tensor('int32', new Int32Array(16), [1, 16]) }));
      expectCode(error, 'ERR_INFERLINE_DTYPE_MISMATCH'); // onnxruntime-node's errors carry no code
    } finally {
      await session.release();
    }
  });

  it('listSupportedBackends() answers as onnxruntime-node does, with our providers', () => {
    expect(ort.listSupportedBackends()).toEqual([
      { name: 'cpu', bundled: true },
      { name: 'cuda', bundled: false },
      { name: 'tensorrt', bundled: false },
    ]);
  });
});

// Last in this file: it leaves onnxruntime-node's backend in this process's registry.
describe('one registry shared with onnxruntime-node (as a bundle that dedupes onnxruntime-common has)', () => {
  beforeAll(() => {
    // What onnxruntime-node's index.js does, here into the registry inferline/ort registered in.
    const { onnxruntimeBackend } = require('onnxruntime-node/dist/backend.js') as { onnxruntimeBackend: ort.Backend };
    for (const { name } of ortNode.listSupportedBackends()) ort.registerBackend(name, onnxruntimeBackend, 100);
  });

  it.each([
    ['no executionProviders (the priority order decides)', {}],
    ["executionProviders: ['cpu']", { executionProviders: ['cpu'] }],
  ])('%s: inferline still runs the model', async (_what, options) => {
    const session = await ort.InferenceSession.create(generatedModel('slow'), { ...kOptions, ...options });
    try {
      expect(await settledBeforeNextImmediate(session.run({ x: float32([512, 512], 54) }))).toBe(false);
    } finally {
      await session.release();
    }
  });
});
