// 10,000 bad calls in a row, cycling through the kinds of bad input the other files in this folder
// test one by one (JS-side checks, addon-side checks and ONNX Runtime failures; async and sync).
// Each must fail with its own code, async ones by rejecting; afterwards good runs still give the
// right answer. Guards against state leaking out of error paths (references, pending exceptions,
// queue slots, in-flight counts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Feeds, type RunOptions, Session, Tensor, loadRuntime } from '../../src/index.js';
import { type RawAddon, type RawSession, stagedDims, stagedFloat32Output } from './fixtures/native-garbage-cases.js';
import { generatedModel } from '../helpers/paths.js';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const kCalls = 10_000;
/** Async calls in flight at once: enough to overlap in the pool, bounded to keep memory flat. */
const kInFlight = 64;

interface BadCall {
  kind: string;
  /** The code it must fail with (a list where a known bug may be fixed either way). */
  code: string | readonly string[];
  sync: boolean;
  call: () => unknown;
}

const bad = <T>(value: unknown): T => value as T;

describe(`${kCalls} bad calls`, () => {
  let add: Session;
  let failing: Session;
  let closed: Session;
  /** A native session straight from the addon, for garbage the TS layer would stop. */
  let native: RawSession;
  beforeAll(async () => {
    loadRuntime(); // the addon's factories are registered once the runtime is loaded
    const addon = createRequire(import.meta.url)('node-gyp-build')(kRoot) as RawAddon;
    native = (await addon.createSession(new Uint8Array(readFileSync(generatedModel('add'))), {}, 'native-add')) as RawSession;
    add = await Session.create(generatedModel('add'), { intraOpThreads: 1 });
    // logLevel fatal: ORT would log every one of the expected run failures.
    failing = await Session.create(generatedModel('failing'), { intraOpThreads: 1, logLevel: 'fatal' });
    closed = await Session.create(generatedModel('add'), { name: 'closed' });
    await closed.close();
  });
  afterAll(async () => {
    await native.close();
    await add.close();
    await failing.close();
  });

  const x16 = (): Tensor => new Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => i), [1, 16]);
  const detached = (): Feeds => {
    const data = new Float32Array(16);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    return bad({ x: { type: 'float32', data, dims: [1, 16] } });
  };
  const aborted = (): RunOptions => {
    const controller = new AbortController();
    controller.abort();
    return { signal: controller.signal };
  };

  const kinds = (): BadCall[] => [
    { kind: 'feeds null', code: 'ERR_INFERLINE_INVALID_ARG', sync: false, call: () => add.run(bad(null)) },
    { kind: 'missing input', code: 'ERR_INFERLINE_MISSING_INPUT', sync: false, call: () => add.run({}) },
    { kind: 'unknown input', code: 'ERR_INFERLINE_UNKNOWN_INPUT', sync: false, call: () => add.run({ x: x16(), extra: x16() }) },
    { kind: 'wrong dtype', code: 'ERR_INFERLINE_DTYPE_MISMATCH', sync: false, call: () => add.run({ x: new Tensor('int32', new Int32Array(16), [1, 16]) }) },
    { kind: 'wrong shape', code: 'ERR_INFERLINE_SHAPE_MISMATCH', sync: false, call: () => add.run({ x: new Tensor('float32', new Float32Array(16), [16]) }) },
    { kind: 'NaN dim', code: 'ERR_INFERLINE_INVALID_TENSOR', sync: false, call: () => add.run(bad({ x: { type: 'float32', data: new Float32Array(16), dims: [NaN, 16] } })) },
    { kind: 'detached buffer', code: 'ERR_INFERLINE_DETACHED_BUFFER', sync: false, call: () => add.run(detached()) },
    { kind: 'unknown output', code: 'ERR_INFERLINE_UNKNOWN_OUTPUT', sync: false, call: () => add.run({ x: x16() }, { outputs: ['z'] }) },
    { kind: 'misspelt run option', code: 'ERR_INFERLINE_UNKNOWN_OPTION', sync: false, call: () => add.run({ x: x16() }, bad({ output: ['y'] })) },
    // Reaches the addon, which checks the preallocated tensor against the declared shape (the JS
    // side does not yet: see run-options.test.ts, hence either code).
    { kind: 'preallocated output of the wrong shape', code: ['ERR_INFERLINE_INVALID_ARG', 'ERR_INFERLINE_SHAPE_MISMATCH'], sync: false, call: () => add.run({ x: x16() }, { outputs: { y: new Tensor('float32', new Float32Array(8), [1, 8]) } }) },
    // Reaches ONNX Runtime, which fails the Reshape.
    { kind: 'ORT run failure', code: 'ERR_INFERLINE_ORT', sync: false, call: () => failing.run({ data: new Tensor('float32', new Float32Array(16), [16]), shape: new Tensor('int64', new BigInt64Array([5n, 5n]), [2]) }) },
    { kind: 'aborted before start', code: 'ERR_INFERLINE_ABORTED', sync: false, call: () => add.run({ x: x16() }, aborted()) },
    { kind: 'closed session', code: 'ERR_INFERLINE_SESSION_CLOSED', sync: false, call: () => closed.run({ x: x16() }) },
    { kind: 'bad create option', code: 'ERR_INFERLINE_UNKNOWN_OPTION', sync: false, call: () => Session.create(generatedModel('add'), bad({ intraOpThread: 1 })) },
    { kind: 'runSync wrong dtype', code: 'ERR_INFERLINE_DTYPE_MISMATCH', sync: true, call: () => add.runSync({ x: new Tensor('int32', new Int32Array(16), [1, 16]) }) },
    { kind: 'runSync ORT run failure', code: 'ERR_INFERLINE_ORT', sync: true, call: () => failing.runSync({ data: new Tensor('float32', new Float32Array(16), [16]), shape: new Tensor('int64', new BigInt64Array([3n, 3n]), [2]) }) },
    { kind: 'native runSync with no inputs', code: 'ERR_INFERLINE_INVALID_ARG', sync: true, call: () => native.runSync([], stagedDims(1, 16)) },
    { kind: 'native run with an Int32Array', code: 'ERR_INFERLINE_INVALID_ARG', sync: true, call: () => native.run([new Int32Array(16)], [[1, 16]]) },
    { kind: 'new Tensor shape mismatch', code: 'ERR_INFERLINE_INVALID_TENSOR', sync: true, call: () => new Tensor('float32', new Float32Array(4), [2, 3]) },
  ];

  it('each fails with its code (async ones reject, never throw), and good runs still work afterwards', async () => {
    const calls = kinds();
    const mismatches: string[] = [];
    const counts = new Map<string, number>();
    const note = (badCall: BadCall, error: unknown, how: string): void => {
      const code = (error as { code?: unknown } | null)?.code;
      const codes: readonly unknown[] = typeof badCall.code === 'string' ? [badCall.code] : badCall.code;
      if (codes.includes(code) && how === (badCall.sync ? 'threw' : 'rejected')) {
        counts.set(badCall.kind, (counts.get(badCall.kind) ?? 0) + 1);
      } else if (mismatches.length < 20) {
        mismatches.push(`${badCall.kind}: ${how} ${String(code)} ${String((error as Error | null)?.message)}`);
      }
    };

    let inFlight: Array<Promise<void>> = [];
    for (let i = 0; i < kCalls; i++) {
      const badCall = calls[i % calls.length]!;
      let returned: unknown;
      try {
        returned = badCall.call();
      } catch (error) {
        note(badCall, error, 'threw');
        continue;
      }
      if (!(returned instanceof Promise)) {
        note(badCall, undefined, 'returned');
        continue;
      }
      inFlight.push(returned.then((value) => note(badCall, value, 'resolved'), (error: unknown) => note(badCall, error, 'rejected')));
      if (inFlight.length >= kInFlight) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);

    expect(mismatches).toEqual([]);
    let total = 0;
    for (const badCall of calls) {
      const expected = Math.floor(kCalls / calls.length) + (calls.indexOf(badCall) < kCalls % calls.length ? 1 : 0);
      expect(counts.get(badCall.kind), badCall.kind).toBe(expected);
      total += counts.get(badCall.kind) ?? 0;
    }
    expect(total).toBe(kCalls);

    // Good runs, async and sync, concurrent and not, give y = x + 1; the failing model too.
    const expectedY = Array.from({ length: 16 }, (_, i) => i + 1);
    const results = await Promise.all(Array.from({ length: 8 }, () => add.run({ x: x16() })));
    const staging = stagedDims(1, 16);
    const nativeY = stagedFloat32Output(staging, native.runSync([x16().data], staging), 0);
    for (const result of [...results, add.runSync({ x: x16() })]) expect(Array.from(result['y']!.data as Float32Array)).toEqual(expectedY);
    expect(Array.from(nativeY)).toEqual(expectedY);
    const reshaped = await failing.run({ data: new Tensor('float32', new Float32Array(16), [16]), shape: new Tensor('int64', new BigInt64Array([4n, 4n]), [2]) });
    expect(reshaped['y']!.shape).toEqual([4, 4]);
  });
});
