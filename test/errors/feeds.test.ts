// Bad feeds: every way a feeds object or one of its tensors can be wrong, through run() (which must
// reject, never throw) and runSync() (which throws), each with its code, class and key words.
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Feeds, Session, Tensor } from '../../src/index.js';
import { ModelProto } from '../fixtures/onnx-proto.js';
import { type ExpectedError, expectRejects, expectThrows } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';

/** Casts a deliberately wrong value to the feeds type, so the bad call type-checks. */
const bad = (value: unknown): Feeds => value as Feeds;

/** x float32 [1,16] holding 0..15. */
function x16(): Tensor {
  return new Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => i), [1, 16]);
}

/** A float32 Tensor whose ArrayBuffer has been transferred away (detached). */
function detachedTensor(): Tensor {
  const buffer = new ArrayBuffer(16 * 4);
  const tensor = new Tensor('float32', new Float32Array(buffer), [1, 16]);
  structuredClone(buffer, { transfer: [buffer] });
  return tensor;
}

/** x float8e4m3fn [N] → Identity: an element type ONNX Runtime runs but inferline cannot carry. */
function float8Model(): Uint8Array {
  const float8e4m3fn = 17; // TensorProto.DataType.FLOAT8E4M3FN (IR 9, opset 19)
  const value = (name: string) => ({ name, type: { tensor_type: { elem_type: float8e4m3fn, shape: { dim: [{ dim_param: 'N' }] } } } });
  return ModelProto.encode(
    ModelProto.fromObject({
      ir_version: 9,
      opset_import: [{ domain: '', version: 19 }],
      graph: { name: 'float8', node: [{ op_type: 'Identity', input: ['x'], output: ['y'], name: 'id' }], input: [value('x')], output: [value('y')] },
    }),
  ).finish();
}

interface BadFeedCase {
  what: string;
  feeds: () => Feeds;
  expected: ExpectedError;
}

// Cases against add.onnx: x float32 [1,16] → y.
const kAddCases: BadFeedCase[] = [
  // The feeds object itself.
  { what: 'feeds is a number', feeds: () => bad(42), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Session "add.onnx"', 'feeds must be an object', 'number 42'] } },
  { what: 'feeds is null', feeds: () => bad(null), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'received null'] } },
  { what: 'feeds is undefined', feeds: () => bad(undefined), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'received undefined'] } },
  { what: 'feeds is an array', feeds: () => bad([x16()]), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'received an array'] } },
  { what: 'feeds is a typed array', feeds: () => bad(new Float32Array(16)), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'received a Float32Array'] } },
  { what: 'feeds is a string', feeds: () => bad('x'), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'string'] } },
  // Names.
  { what: 'the input is missing', feeds: () => bad({}), expected: { code: 'ERR_INFERLINE_MISSING_INPUT', kind: 'TypeError', includes: ['input "x"', 'float32 [1,16]', 'missing'] } },
  { what: 'the input is missing, another name given', feeds: () => bad({ X: x16() }), expected: { code: 'ERR_INFERLINE_MISSING_INPUT', kind: 'TypeError', includes: ['input "x"', 'missing', 'received "X"'] } },
  { what: 'an unknown extra input', feeds: () => bad({ x: x16(), z: x16() }), expected: { code: 'ERR_INFERLINE_UNKNOWN_INPUT', kind: 'TypeError', includes: ['no input named "z"', 'its inputs are "x"'] } },
  // Element type.
  { what: 'an int32 Tensor for a float32 input', feeds: () => ({ x: new Tensor('int32', new Int32Array(16), [1, 16]) }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'expected float32 [1,16]', 'received int32 [1,16]'] } },
  { what: 'a plain object with type int32', feeds: () => bad({ x: { type: 'int32', data: new Int32Array(16), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'expected float32', 'received int32'] } },
  { what: 'a Float64Array under type float32', feeds: () => bad({ x: { type: 'float32', data: new Float64Array(16), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'Float32Array', 'Float64Array'] } },
  { what: 'a plain number array under type float32', feeds: () => bad({ x: { type: 'float32', data: new Array<number>(16).fill(0), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'Float32Array', 'an array'] } },
  { what: 'an unknown type name', feeds: () => bad({ x: { type: 'float', data: new Float32Array(16), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'expected float32', 'received float'] } },
  { what: 'an onnxruntime-common int32 Tensor', feeds: () => bad({ x: new OrtTensor('int32', new Int32Array(16), [1, 16]) }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['input "x"', 'expected float32 [1,16]', 'received int32 [1,16]'] } },
  // Shape.
  { what: 'a rank-1 tensor for a rank-2 input', feeds: () => ({ x: new Tensor('float32', new Float32Array(16), [16]) }), expected: { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['input "x"', 'rank 2', '[1,16]', 'received float32 [16]'] } },
  { what: 'a fixed dim that does not match', feeds: () => ({ x: new Tensor('float32', new Float32Array(16), [2, 8]) }), expected: { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['input "x"', 'expected float32 [1,16]', 'received float32 [2,8]'] } },
  { what: 'an onnxruntime-common Tensor of the wrong rank', feeds: () => bad({ x: new OrtTensor('float32', new Float32Array(16), [16]) }), expected: { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['input "x"', 'rank 2', '[16]'] } },
  { what: 'data shorter than the dims need', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(15), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['input "x"', '[1,16]', '16 elements', 'data has 15'] } },
  { what: 'data longer than the dims need', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(17), dims: [1, 16] } }), expected: { code: 'ERR_INFERLINE_SHAPE_MISMATCH', kind: 'RangeError', includes: ['input "x"', '16 elements', 'data has 17'] } },
  { what: 'a non-integer dim', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: [1.5, 16] } }), expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "x"', 'dim 0', 'non-negative integer', '1.5'] } },
  { what: 'a negative dim', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: [-1, 16] } }), expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "x"', 'dim 0', 'non-negative integer', '-1'] } },
  { what: 'a NaN dim', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: [1, NaN] } }), expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "x"', 'dim 1', 'NaN'] } },
  { what: 'an Infinity dim', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: [1, Infinity] } }), expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "x"', 'dim 1', 'Infinity'] } },
  // What came must be visible: `received string` alone does not show that "16" was a string.
  { what: 'a string dim', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: [1, '16'] } }), expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "x"', 'dim 1', /["']16["']/] } },
  { what: 'dims that are not an array', feeds: () => bad({ x: { type: 'float32', data: new Float32Array(16), dims: '1,16' } }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"', 'dims must be an array'] } },
  // Not a tensor at all.
  { what: 'a null tensor', feeds: () => bad({ x: null }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"', 'expected a Tensor', 'received null'] } },
  { what: 'a NaN tensor', feeds: () => bad({ x: NaN }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"', 'expected a Tensor', 'number NaN'] } },
  { what: 'a bare typed array', feeds: () => bad({ x: new Float32Array(16) }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"', 'expected a Tensor', 'a Float32Array'] } },
  { what: 'an object with neither type nor dims', feeds: () => bad({ x: { data: new Float32Array(16) } }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"', 'expected a Tensor'] } },
  // Detached buffers (transferred to another thread or structuredClone'd away).
  { what: 'a Tensor whose buffer is detached', feeds: () => ({ x: detachedTensor() }), expected: { code: 'ERR_INFERLINE_DETACHED_BUFFER', kind: 'TypeError', includes: ['input "x"', 'detached'] } },
  {
    what: 'a plain object whose data buffer is detached',
    feeds: () => {
      const data = new Float32Array(16);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      return bad({ x: { type: 'float32', data, dims: [1, 16] } });
    },
    expected: { code: 'ERR_INFERLINE_DETACHED_BUFFER', kind: 'TypeError', includes: ['input "x"', 'detached'] },
  },
  {
    what: 'an onnxruntime-common Tensor whose buffer is detached',
    feeds: () => {
      const data = new Float32Array(16);
      const tensor = new OrtTensor('float32', data, [1, 16]);
      structuredClone(data.buffer, { transfer: [data.buffer] });
      return bad({ x: tensor });
    },
    expected: { code: 'ERR_INFERLINE_DETACHED_BUFFER', kind: 'TypeError', includes: ['input "x"', 'detached'] },
  },
];

describe('bad feeds (add.onnx: x float32 [1,16])', () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel('add'), { intraOpThreads: 1 });
  });
  afterAll(() => session.close());

  describe('run() rejects', () => {
    it.each(kAddCases)('$what', async ({ feeds, expected }) => {
      await expectRejects(() => session.run(feeds()), expected);
    });
  });

  describe('runSync() throws', () => {
    it.each(kAddCases)('$what', ({ feeds, expected }) => {
      expectThrows(() => session.runSync(feeds()), expected);
    });
  });

  it('an undefined tensor is reported as missing, and the message does not claim it was received', async () => {
    // { x: undefined } has the key "x": saying 'input "x" is missing; received "x"' contradicts
    // itself. The message should say the value was undefined.
    await expectRejects(() => session.run(bad({ x: undefined })), {
      code: 'ERR_INFERLINE_MISSING_INPUT',
      kind: 'TypeError',
      includes: ['input "x"', 'undefined'],
      excludes: ['received "x"'],
    });
  });

  it('a detached buffer made by ArrayBuffer.prototype.transfer() is caught too', async (context) => {
    const buffer = new ArrayBuffer(16 * 4) as ArrayBuffer & { transfer?: () => ArrayBuffer };
    if (typeof buffer.transfer !== 'function') context.skip(); // Node 20's V8 lacks transfer()
    const data = new Float32Array(buffer);
    buffer.transfer!();
    await expectRejects(() => session.run(bad({ x: { type: 'float32', data, dims: [1, 16] } })), {
      code: 'ERR_INFERLINE_DETACHED_BUFFER',
      kind: 'TypeError',
      includes: ['input "x"', 'detached'],
    });
  });

  it('a buffer transferred through postMessage is caught', async () => {
    const data = new Float32Array(16);
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(data.buffer, [data.buffer]);
    } finally {
      port1.close();
      port2.close();
    }
    expect(data.buffer.byteLength).toBe(0);
    await expectRejects(() => session.run(bad({ x: { type: 'float32', data, dims: [1, 16] } })), {
      code: 'ERR_INFERLINE_DETACHED_BUFFER',
      kind: 'TypeError',
      includes: ['input "x"', 'detached'],
    });
  });

  it('inherited or non-enumerable feed keys are not reported as an unknown input with no name', async () => {
    // feeds[name] finds an inherited "x", but the unknown-key check counts own enumerable keys
    // only; the mismatch used to produce 'has no input named ; its inputs are "x"'.
    for (const feeds of [Object.create({ x: x16() }) as Feeds, Object.defineProperty({}, 'x', { value: x16(), enumerable: false }) as Feeds]) {
      const outcome = await session.run(feeds).then(
        (result) => ({ result }),
        (error: unknown) => ({ error: error as Error & { code?: string } }),
      );
      if ('error' in outcome) {
        expect(outcome.error.code, outcome.error.message).not.toBe('ERR_INFERLINE_UNKNOWN_INPUT');
        expect(outcome.error.message).toContain('"x"');
      } else {
        expect(outcome.result['y']!.data[0]).toBe(1);
      }
    }
  });

  it('right feeds in each accepted form run: Tensor, onnxruntime-common Tensor, { type, data, dims }, { dtype, data, shape }', async () => {
    const data = () => Float32Array.from({ length: 16 }, (_, i) => i);
    const forms: Feeds[] = [
      { x: x16() },
      bad({ x: new OrtTensor('float32', data(), [1, 16]) }),
      bad({ x: { type: 'float32', data: data(), dims: [1, 16] } }),
      bad({ x: { dtype: 'float32', data: data(), shape: [1, 16] } }),
    ];
    for (const feeds of forms) {
      const async = await session.run(feeds);
      const sync = session.runSync(feeds);
      for (const result of [async, sync]) {
        expect(result['y']!.shape).toEqual([1, 16]);
        expect(Array.from(result['y']!.data as Float32Array)).toEqual(Array.from(data(), (v) => v + 1));
      }
    }
  });
});

describe('bad feeds (models with several or symbolic inputs)', () => {
  it('an unknown input is rejected with the list of every real input name (multi-io: a, b)', async () => {
    const session = await Session.create(generatedModel('multi-io'));
    try {
      const four = () => new Tensor('float32', new Float32Array(8), [2, 4]);
      await expectRejects(() => session.run(bad({ a: four(), b: four(), c: four() })), {
        code: 'ERR_INFERLINE_UNKNOWN_INPUT',
        kind: 'TypeError',
        includes: ['no input named "c"', '"a", "b"'],
      });
      await expectRejects(() => session.run(bad({ a: four() })), {
        code: 'ERR_INFERLINE_MISSING_INPUT',
        kind: 'TypeError',
        includes: ['input "b"', 'float32 [N,4]', 'received "a"'],
      });
      await expectRejects(() => session.run(bad({ a: four(), b: new Tensor('float32', new Float32Array(6), [2, 3]) })), {
        code: 'ERR_INFERLINE_SHAPE_MISMATCH',
        kind: 'RangeError',
        includes: ['input "b"', 'float32 [N,4]', '[2,3]'],
      });
    } finally {
      await session.close();
    }
  });

  it('data that does not fill symbolic dims is a shape mismatch naming dims and lengths (identity [N,M])', async () => {
    const session = await Session.create(generatedModel('identity-float32'));
    try {
      await expectRejects(() => session.run(bad({ x: { type: 'float32', data: new Float32Array(5), dims: [2, 3] } })), {
        code: 'ERR_INFERLINE_SHAPE_MISMATCH',
        kind: 'RangeError',
        includes: ['input "x"', '[2,3]', '6 elements', 'data has 5'],
      });
      // Dims whose product overflows 2^64 are caught in JS (doubles), before the addon.
      await expectRejects(() => session.run(bad({ x: { type: 'float32', data: new Float32Array(16), dims: [16777232, 1099510579201] } })), {
        code: 'ERR_INFERLINE_SHAPE_MISMATCH',
        kind: 'RangeError',
        includes: ['input "x"', 'data has 16'],
      });
    } finally {
      await session.close();
    }
  });

  it('string inputs: data that is not an array of strings is rejected with the element named', async () => {
    const session = await Session.create(generatedModel('string'));
    try {
      await expectRejects(() => session.run(bad({ x: { type: 'string', data: new Uint8Array(2), dims: [2] } })), {
        code: 'ERR_INFERLINE_DTYPE_MISMATCH',
        kind: 'TypeError',
        includes: ['input "x"', 'array of strings', 'Uint8Array'],
      });
      // The element check happens in the addon (the JS side does not walk the array).
      await expectRejects(() => session.run(bad({ x: { type: 'string', data: ['a', 1], dims: [2] } })), {
        code: 'ERR_INFERLINE_INVALID_ARG',
        kind: 'TypeError',
        includes: ['input "x"', 'element 1', 'not a string'],
      });
      const { y } = await session.run({ x: new Tensor('string', ['ok', 'still'], [2]) });
      expect(y!.data).toEqual(['OK', 'STILL']);
    } finally {
      await session.close();
    }
  });

  it('an input of an element type inferline cannot carry (float8e4m3fn) is ERR_INFERLINE_UNSUPPORTED', async () => {
    const session = await Session.create(float8Model(), { name: 'float8' });
    try {
      expect(session.inputs[0]!.dtype).toBe('float8e4m3fn');
      const feeds = bad({ x: { type: 'float8e4m3fn', data: new Uint8Array(1), dims: [1] } });
      const expected: ExpectedError = { code: 'ERR_INFERLINE_UNSUPPORTED', kind: 'InferlineError', includes: ['Session "float8" input "x"', 'float8e4m3fn', 'not supported'] };
      await expectRejects(() => session.run(feeds), expected);
      expectThrows(() => session.runSync(feeds), expected);
    } finally {
      await session.close();
    }
  });
});
