// onnxruntime-common's SessionOptions on inferline: each option maps to inferline's, a wrong
// value is refused naming the option as the caller wrote it, options only onnxruntime-web uses
// are ignored (as onnxruntime-node ignores them), and options inferline cannot honour are
// refused with ERR_INFERLINE_UNSUPPORTED rather than dropped.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ortNode from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as ort from '../../src/ort/index.js';
import { toSessionOptions } from '../../src/ort/session-options.js';
import { InferlineError, runtimeInfo } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kMlp = generatedModel('mlp');

function mlpInput(rows = 2, seed = 3): ort.Tensor {
  return new ort.Tensor('float32', randomFloat32(rows * 256, seed), [rows, 256]);
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

function expectError(error: unknown, code: string, type: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, words: RegExp): void {
  expect(error).toBeInstanceOf(InferlineError);
  expect(error).toBeInstanceOf(type);
  expect((error as InferlineError).code).toBe(code);
  expect((error as Error).message).toMatch(words);
}

/** Opens the MLP with `options`, runs it once and releases it; returns the output. */
async function runMlp(options: ort.InferenceSession.SessionOptions, x = mlpInput()): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(kMlp, options);
  try {
    return (await session.run({ x })).y!;
  } finally {
    await session.release();
  }
}

describe('the mapping to inferline options', () => {
  it('maps every option onnxruntime-node reads', () => {
    expect(
      toSessionOptions({
        executionProviders: [{ name: 'cuda', deviceId: 1 }, 'tensorrt', { name: 'cpu', useArena: false }],
        intraOpNumThreads: 2,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'extended',
        executionMode: 'parallel',
        enableMemPattern: false,
        freeDimensionOverrides: { N: 4 },
        logSeverityLevel: 3,
        logId: 'detector',
        enableProfiling: true,
        profileFilePrefix: '/tmp/trace',
      }),
    ).toEqual({
      providers: [{ name: 'cuda', deviceId: 1 }, 'tensorrt', 'cpu'],
      intraOpThreads: 2,
      interOpThreads: 1,
      graphOptimization: 'extended',
      executionMode: 'parallel',
      memoryArena: false, // from the cpu entry's useArena
      memoryPattern: false,
      freeDimensions: { N: 4 },
      logLevel: 'error',
      name: 'detector',
      profile: '/tmp/trace',
    });
  });

  it('lets enableCpuMemArena win over a cpu entry, and reads only deviceId from GPU entries', () => {
    expect(
      toSessionOptions({
        executionProviders: [{ name: 'cuda', deviceId: 0, someOtherKnob: 'x' } as ort.InferenceSession.ExecutionProviderConfig, { name: 'cpu', useArena: false }],
        enableCpuMemArena: true,
      }),
    ).toEqual({ providers: [{ name: 'cuda', deviceId: 0 }, 'cpu'], memoryArena: true });
  });

  it.each([
    [0, 'verbose'],
    [1, 'info'],
    [2, 'warning'],
    [4, 'fatal'],
  ] as const)('logSeverityLevel %i is %s', (level, name) => {
    expect(toSessionOptions({ logSeverityLevel: level })).toEqual({ logLevel: name });
  });

  it("maps graphOptimizationLevel 'layout' to 'layout', and profiling without a prefix to ONNX Runtime's", () => {
    expect(toSessionOptions({ graphOptimizationLevel: 'layout', enableProfiling: true })).toEqual({
      graphOptimization: 'layout',
      profile: 'onnxruntime_profile',
    });
  });

  it('ignores what only onnxruntime-web reads, and an empty executionProviders list', () => {
    const webOnly = {
      executionProviders: [],
      logVerbosityLevel: 2,
      enableGraphCapture: true,
      preferredOutputLocation: 'cpu',
      extra: {},
      profileFilePrefix: 'unused without enableProfiling',
      enableProfiling: false,
    } as const;
    expect(toSessionOptions(webOnly)).toEqual({});
    expect(toSessionOptions(undefined)).toEqual({});
  });
});

describe('options that reach ONNX Runtime', () => {
  it.each(['disabled', 'basic', 'extended', 'layout', 'all'] as const)(
    "graphOptimizationLevel '%s' gives onnxruntime-node's output at the same level",
    async (level) => {
      const x = mlpInput(3, 11);
      const actual = await runMlp({ intraOpNumThreads: 1, graphOptimizationLevel: level }, x);
      const theirs = await ortNode.InferenceSession.create(kMlp, { intraOpNumThreads: 1, graphOptimizationLevel: level });
      try {
        const { y } = await theirs.run({ x: new ortNode.Tensor('float32', x.data as Float32Array, x.dims) });
        expectSameTensor(actual, y!, `y at level ${level}`);
      } finally {
        await theirs.release();
      }
    },
  );

  it('the rest of the CPU options together open a session that runs', async () => {
    const y = await runMlp({
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 2,
      executionMode: 'parallel',
      enableCpuMemArena: false,
      enableMemPattern: false,
      logSeverityLevel: 3,
    });
    expect(y.dims).toEqual([2, 256]);
  });

  it('freeDimensionOverrides fixes a symbolic dim (onnxruntime-node ignores this option)', async () => {
    const session = await ort.InferenceSession.create(kMlp, { freeDimensionOverrides: { N: 1 } });
    try {
      expect(session.inputMetadata).toEqual([{ name: 'x', isTensor: true, type: 'float32', shape: [1, 256] }]);
      expect((await session.run({ x: mlpInput(1) })).y!.dims).toEqual([1, 256]);
      expectError(await rejectionOf(session.run({ x: mlpInput(2) })), 'ERR_INFERLINE_SHAPE_MISMATCH', RangeError, /expected float32 \[1,256\]/);
    } finally {
      await session.release();
    }
  });

  it('logId names the session in messages', async () => {
    const session = await ort.InferenceSession.create(kMlp, { logId: 'my-mlp' });
    try {
      const error = await rejectionOf(session.run({ x: new ort.Tensor('int32', new Int32Array(256), [1, 256]) }));
      expectError(error, 'ERR_INFERLINE_DTYPE_MISMATCH', TypeError, /Session "my-mlp" input "x"/);
    } finally {
      await session.release();
    }
  });

  it('enableProfiling writes a trace under profileFilePrefix; endProfiling() ends it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inferline-ort-profile-'));
    try {
      const session = await ort.InferenceSession.create(kMlp, { enableProfiling: true, profileFilePrefix: join(dir, 'trace') });
      session.startProfiling(); // a no-op, as in onnxruntime-node: profiling began with the session
      await session.run({ x: mlpInput() });
      session.endProfiling();
      await session.release();
      const traces = readdirSync(dir).filter((name) => name.startsWith('trace') && name.endsWith('.json'));
      expect(traces).toHaveLength(1);
      const events = JSON.parse(readFileSync(join(dir, traces[0]!), 'utf8')) as Array<{ name?: string }>;
      expect(events.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('execution providers', () => {
  const hasCuda = runtimeInfo().providers.includes('cuda');
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.skipIf(hasCuda)("['cuda', 'cpu'] without CUDA warns, drops cuda and runs on the CPU", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const y = await runMlp({ executionProviders: ['cuda', 'cpu'] });
    expect(y.dims).toEqual([2, 256]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/removing requested execution provider "cuda".*not available/));
  });

  it.skipIf(hasCuda)("['cuda'] alone without CUDA rejects, saying why", async () => {
    const error = await rejectionOf(ort.InferenceSession.create(kMlp, { executionProviders: ['cuda'] }));
    expect((error as Error).message).toMatch(/no available backend found.*\[cuda\].*Execution provider "cuda" is not available/);
  });

  it('a provider no backend serves is dropped by onnxruntime-common, leaving the CPU', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const y = await runMlp({ executionProviders: ['webgpu', 'cpu'] });
    expect(y.dims).toEqual([2, 256]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/removing requested execution provider "webgpu"/));
  });
});

describe('refused options', () => {
  it.each([
    [{ intraOpNumThreads: 1.5 }, 'ERR_INFERLINE_INVALID_ARG', RangeError, /intraOpNumThreads must be an integer from 0 to 1024, received number 1.5/],
    [{ interOpNumThreads: '2' }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /interOpNumThreads must be a number, received string/],
    [{ graphOptimizationLevel: 'fast' }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /graphOptimizationLevel must be one of 'disabled', .*'layout', 'all'/],
    [{ executionMode: 'serial' }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /executionMode must be one of 'sequential', 'parallel'/],
    [{ enableCpuMemArena: 1 }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /enableCpuMemArena must be a boolean/],
    [{ logSeverityLevel: 5 }, 'ERR_INFERLINE_INVALID_ARG', RangeError, /logSeverityLevel must be one of 0, 1, 2, 3, 4/],
    [{ freeDimensionOverrides: { N: -1 } }, 'ERR_INFERLINE_INVALID_ARG', RangeError, /freeDimensionOverrides.N must be a non-negative integer/],
    [{ enableProfiling: true, profileFilePrefix: 7 }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /profileFilePrefix must be a non-empty string/],
    [{ executionProviders: [{ name: 'cpu', useArena: 'no' }] }, 'ERR_INFERLINE_INVALID_ARG', TypeError, /executionProviders\[0\].useArena must be a boolean/],
    [{ executionProviders: [{ name: 'cuda', deviceId: -1 }] }, 'ERR_INFERLINE_INVALID_ARG', RangeError, /executionProviders\[0\].deviceId must be a non-negative integer/],
    [{ executionProviders: ['dml'] }, 'ERR_INFERLINE_UNSUPPORTED', Error, /"dml" is not supported by inferline/],
    [{ optimizedModelFilePath: '/tmp/opt.onnx' }, 'ERR_INFERLINE_UNSUPPORTED', Error, /optimizedModelFilePath/],
    [{ extra: { session: { disable_prepacking: '1' } } }, 'ERR_INFERLINE_UNSUPPORTED', Error, /extra: inferline does not take ONNX Runtime session config entries/],
    [{ preferredOutputLocation: 'gpu-buffer' }, 'ERR_INFERLINE_UNSUPPORTED', Error, /CPU memory only, received 'gpu-buffer'/],
    [{ externalData: [{ path: 'w.bin', data: new Uint8Array(4) }] }, 'ERR_INFERLINE_UNSUPPORTED', Error, /externalData/],
  ] as const)('%o: %s', (options, code, type, words) => {
    // Checked directly: through InferenceSession.create the registry would drop 'dml' first.
    let thrown: unknown;
    try {
      toSessionOptions(options as unknown as ort.InferenceSession.SessionOptions);
    } catch (error) {
      thrown = error;
    }
    expectError(thrown, code, type, words);
  });

  it('InferenceSession.create rejects (never throws) with the same error', async () => {
    const pending = ort.InferenceSession.create(kMlp, { intraOpNumThreads: -1 });
    expect(pending).toBeInstanceOf(Promise);
    expectError(await rejectionOf(pending), 'ERR_INFERLINE_INVALID_ARG', RangeError, /sessionOptions.intraOpNumThreads/);
  });

  it("a missing model file rejects with inferline's ERR_INFERLINE_MODEL_NOT_FOUND", async () => {
    const error = await rejectionOf(ort.InferenceSession.create(join(tmpdir(), 'no-such-model.onnx')));
    expectError(error, 'ERR_INFERLINE_MODEL_NOT_FOUND', Error, /no-such-model\.onnx/);
  });
});
