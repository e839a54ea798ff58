// Bad run options: unknown options (with a suggestion), unknown outputs, bad preallocated
// outputs, a signal that is not an AbortSignal, and aborts. run() rejects; runSync() throws.
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOptions, Session, Tensor } from '../../src/index.js';
import { type ExpectedError, expectRejects, expectThrows } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';

/** Casts a deliberately wrong value to the options type, so the bad call type-checks. */
const bad = (value: unknown): RunOptions => value as RunOptions;

const x16 = (): Tensor => new Tensor('float32', new Float32Array(16), [1, 16]);

interface BadOptionsCase {
  what: string;
  options: () => RunOptions;
  expected: ExpectedError;
  /** runSync takes no signal: cases about signals are run() only. */
  asyncOnly?: boolean;
}

// Against add.onnx: x float32 [1,16] → y float32 [1,16].
const kCases: BadOptionsCase[] = [
  { what: 'options that are not an object', options: () => bad(5), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Session "add.onnx" run', 'options must be an object', 'number 5'] } },
  { what: 'options that are an array', options: () => bad([]), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['options must be an object', 'an array'] } },
  { what: 'a misspelt option "output"', options: () => bad({ output: ['y'] }), expected: { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "output"', 'did you mean "outputs"?'] } },
  { what: 'an unrelated unknown option', options: () => bad({ timeoutMs: 5 }), expected: { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "timeoutMs"', 'outputs'] } },
  { what: 'an unknown output name', options: () => ({ outputs: ['z'] }), expected: { code: 'ERR_INFERLINE_UNKNOWN_OUTPUT', kind: 'TypeError', includes: ['no output named "z"', 'its outputs are "y"'] } },
  { what: 'an output name that is not a string', options: () => bad({ outputs: [0] }), expected: { code: 'ERR_INFERLINE_UNKNOWN_OUTPUT', kind: 'TypeError', includes: ['no output named 0', '"y"'] } },
  { what: 'an empty output list', options: () => ({ outputs: [] }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['outputs must name at least one output'] } },
  { what: 'outputs given as a string', options: () => bad({ outputs: 'y' }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['outputs must be an array of output names or an object', 'string'] } },
  { what: 'a preallocated output for an unknown name', options: () => ({ outputs: { z: x16() } }), expected: { code: 'ERR_INFERLINE_UNKNOWN_OUTPUT', kind: 'TypeError', includes: ['no output named "z"', '"y"'] } },
  { what: 'a preallocated output that is a plain object', options: () => bad({ outputs: { y: { type: 'float32', data: new Float32Array(16), dims: [1, 16] } } }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['output "y"', 'must be a Tensor', 'an object'] } },
  { what: 'a preallocated output that is an onnxruntime-common Tensor', options: () => bad({ outputs: { y: new OrtTensor('float32', new Float32Array(16), [1, 16]) } }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['output "y"', 'must be a Tensor'] } },
  { what: 'a preallocated output that is a number', options: () => bad({ outputs: { y: 3 } }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['output "y"', 'must be a Tensor', 'number 3'] } },
  { what: 'a preallocated output of the wrong dtype', options: () => ({ outputs: { y: new Tensor('int32', new Int32Array(16), [1, 16]) } }), expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['output "y"', 'expected float32', 'int32'] } },
  {
    what: 'a preallocated output whose buffer is detached',
    options: () => {
      const y = x16();
      const buffer = (y.data as Float32Array).buffer as ArrayBuffer;
      structuredClone(buffer, { transfer: [buffer] });
      return { outputs: { y } };
    },
    expected: { code: 'ERR_INFERLINE_DETACHED_BUFFER', kind: 'TypeError', includes: ['output "y"', 'detached'] },
  },
  { what: 'a signal that is a plain object', options: () => bad({ signal: {} }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['signal must be an AbortSignal', 'an object'] }, asyncOnly: true },
  { what: 'a signal that is an AbortController', options: () => bad({ signal: new AbortController() }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['signal must be an AbortSignal', 'AbortController'] }, asyncOnly: true },
  { what: 'a signal that is true', options: () => bad({ signal: true }), expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['signal must be an AbortSignal', 'boolean true'] }, asyncOnly: true },
];

describe('bad run options (add.onnx)', () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel('add'), { intraOpThreads: 1 });
  });
  afterAll(() => session.close());

  describe('run() rejects', () => {
    it.each(kCases)('$what', async ({ options, expected }) => {
      await expectRejects(() => session.run({ x: x16() }, options()), expected);
    });
  });

  describe('runSync() throws', () => {
    it.each(kCases.filter((c) => c.asyncOnly !== true))('$what', ({ options, expected }) => {
      const sync = { ...expected, includes: expected.includes?.map((words) => (words === 'Session "add.onnx" run' ? 'Session "add.onnx" runSync' : words)) };
      expectThrows(() => session.runSync({ x: x16() }, options()), sync);
    });

    it('a signal is an unknown option for runSync, which cannot be aborted', () => {
      expectThrows(() => session.runSync({ x: x16() }, bad({ signal: new AbortController().signal })), {
        code: 'ERR_INFERLINE_UNKNOWN_OPTION',
        kind: 'TypeError',
        includes: ['runSync', 'unknown option "signal"', 'outputs'],
      });
    });
  });

  it('a preallocated output of the wrong shape is a shape mismatch caught at the JS boundary', async () => {
    // Today the JS side lets it through and the addon rejects it as ERR_INFERLINE_INVALID_ARG with
    // "expected dims [1,16] (-1 = any), received [1,8]"; inputs report the same fault as
    // ERR_INFERLINE_SHAPE_MISMATCH.
    await expectRejects(() => session.run({ x: x16() }, { outputs: { y: new Tensor('float32', new Float32Array(8), [1, 8]) } }), {
      code: 'ERR_INFERLINE_SHAPE_MISMATCH',
      kind: 'RangeError',
      includes: ['output "y"', '[1,16]', '[1,8]'],
    });
  });

  it('a preallocated output of the wrong shape is at least rejected, naming the output and both shapes', async () => {
    const error = await session.run({ x: x16() }, { outputs: { y: new Tensor('float32', new Float32Array(8), [1, 8]) } }).then(
      () => expect.unreachable('the run should reject'),
      (rejection: unknown) => rejection as Error & { code?: string },
    );
    expect(error.code).toMatch(/^ERR_INFERLINE_(INVALID_ARG|SHAPE_MISMATCH)$/);
    expect(error.message).toContain('output "y"');
    expect(error.message).toContain('[1,16]');
    expect(error.message).toContain('[1,8]');
  });

  it('an already aborted signal rejects with ERR_INFERLINE_ABORTED (AbortError) whose cause is the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const error = await expectRejects(() => session.run({ x: x16() }, { signal: controller.signal }), {
      code: 'ERR_INFERLINE_ABORTED',
      kind: 'AbortError',
      includes: ['Session "add.onnx"', 'aborted'],
    });
    expect(error.cause).toBe(reason);
  });

  it('the session still runs after all the rejected calls', async () => {
    const { y } = await session.run({ x: x16() });
    expect(Array.from(y!.data as Float32Array)).toEqual(new Array(16).fill(1));
  });
});

describe('abort during a run (slow model)', () => {
  it('aborting right after run() rejects with ERR_INFERLINE_ABORTED, and the session runs again afterwards', async () => {
    const session = await Session.create(generatedModel('slow'), { intraOpThreads: 1 });
    try {
      const x = new Tensor('float32', new Float32Array(64 * 512).fill(0.5), [64, 512]);
      const controller = new AbortController();
      const reason = new Error('stop');
      const running = session.run({ x }, { signal: controller.signal });
      // The completion runs on this thread after this turn, so the cancel always precedes it.
      controller.abort(reason);
      const error = await expectRejects(() => running, { code: 'ERR_INFERLINE_ABORTED', kind: 'AbortError', includes: ['Session "slow.onnx"', 'aborted'] });
      expect(error.cause).toBe(reason);
      const { y } = await session.run({ x });
      expect(y!.shape).toEqual([64, 512]);
    } finally {
      await session.close();
    }
  });
});
