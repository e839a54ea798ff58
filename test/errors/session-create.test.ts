// Session.create with bad arguments: not a model, a missing file, bytes ONNX Runtime cannot parse,
// misspelt or out-of-range options, and providers this machine lacks. It must always reject, never
// throw synchronously.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SessionOptions, Session, runtimeInfo } from '../../src/index.js';
import { uniformFloat32 } from '../fixtures/seeded-random.js';
import { type ExpectedError, expectInferlineError, expectRejects } from '../helpers/expect-error.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';

const kAdd = generatedModel('add');

/** Casts a deliberately wrong value, so the bad call type-checks. */
const bad = <T>(value: unknown): T => value as T;

/** 1000 bytes that are not ONNX protobuf, the same every run. */
function garbageBytes(): Uint8Array {
  const noise = uniformFloat32(250, 1, 99);
  return new Uint8Array(noise.buffer, noise.byteOffset, noise.byteLength);
}

describe('Session.create: the model argument', () => {
  const notAModel: Array<[string, unknown, string]> = [
    ['a number', 3, 'number 3'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object', {}, 'an object'],
    ['an array of bytes', [8, 1, 18], 'an array'],
    ['a Float32Array', new Float32Array(4), 'a Float32Array'],
    ['a boolean', true, 'boolean true'],
  ];
  it.each(notAModel)('%s is not a path or bytes', async (_what, model, received) => {
    await expectRejects(() => Session.create(bad<string>(model)), {
      code: 'ERR_INFERLINE_INVALID_ARG',
      kind: 'TypeError',
      includes: ['Session.create', 'model path or a Uint8Array', received],
    });
  });

  it('an empty path', async () => {
    await expectRejects(() => Session.create(''), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Session.create', 'path is empty'] });
  });

  it('empty bytes, and bytes whose buffer is detached', async () => {
    const expected: ExpectedError = { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Session.create', 'bytes are empty'] };
    await expectRejects(() => Session.create(new Uint8Array(0)), expected);
    const bytes = new Uint8Array(readFileSync(kAdd));
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
    await expectRejects(() => Session.create(bytes), { ...expected, includes: ['Session.create', 'detached'] });
  });

  it('a path with no file is ERR_INFERLINE_MODEL_NOT_FOUND naming the path, with the fs error as cause', async () => {
    const path = join(tmpdir(), 'inferline-no-such-dir', 'model.onnx');
    const error = await expectRejects(() => Session.create(path), {
      code: 'ERR_INFERLINE_MODEL_NOT_FOUND',
      kind: 'InferlineError',
      includes: ['Session.create', path],
    });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a directory is not a model file', async () => {
    await expectRejects(() => Session.create(tmpdir()), {
      code: 'ERR_INFERLINE_MODEL_NOT_FOUND',
      kind: 'InferlineError',
      includes: [tmpdir()],
    });
  });
});

describe('Session.create: bytes ONNX Runtime cannot load', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inferline-errors-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectOrtLoadError(error: { ortCode?: number; message: string }, label: string): void {
    expect(typeof error.ortCode).toBe('number');
    expect(error.ortCode).toBeGreaterThan(0);
    // ONNX Runtime's own words are kept inside ours.
    expect(error.message).toContain(`Session "${label}" create`);
    expect(error.message).toContain('ONNX Runtime: ');
    expect(error.message).toMatch(/protobuf parsing failed/i);
  }

  it('random bytes are ERR_INFERLINE_ORT with ortCode and ORT message', async () => {
    const error = await expectRejects(() => Session.create(garbageBytes()), { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
    expectOrtLoadError(error, 'model bytes (1000 B)');
  });

  it('a truncated real model (first half of PP-OCR cls) is ERR_INFERLINE_ORT', async () => {
    const full = readFileSync(kRealModels.ocrCls);
    const half = new Uint8Array(full.subarray(0, full.length >> 1));
    const error = await expectRejects(() => Session.create(half, { name: 'cls-truncated' }), { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
    expectOrtLoadError(error, 'cls-truncated');
  });

  it('a garbage file on disk is ERR_INFERLINE_ORT naming the file', async () => {
    const path = join(dir, 'garbage.onnx');
    writeFileSync(path, garbageBytes());
    const error = await expectRejects(() => Session.create(path), { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
    expectOrtLoadError(error, 'garbage.onnx');
  });
});

interface BadOptionCase {
  what: string;
  options: unknown;
  expected: ExpectedError;
}

const kBadOptions: BadOptionCase[] = [
  { what: 'options that are not an object', options: 5, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Session.create', 'options must be an object', 'number 5'] } },
  { what: 'misspelt intraOpThread', options: { intraOpThread: 1 }, expected: { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "intraOpThread"', 'did you mean "intraOpThreads"?'] } },
  { what: 'misspelt graphOptimisation', options: { graphOptimisation: 'all' }, expected: { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "graphOptimisation"', 'did you mean "graphOptimization"?'] } },
  { what: 'an unrelated unknown option', options: { batchSize: 4 }, expected: { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "batchSize"', 'known options:', 'intraOpThreads'] } },
  { what: 'intraOpThreads -1', options: { intraOpThreads: -1 }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['intraOpThreads', 'integer from 0 to 1024', 'number -1'] } },
  { what: 'intraOpThreads 1.5', options: { intraOpThreads: 1.5 }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['intraOpThreads', 'integer from 0 to 1024', 'number 1.5'] } },
  { what: "intraOpThreads 'two'", options: { intraOpThreads: 'two' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['intraOpThreads', 'integer from 0 to 1024', 'string "two"'] } },
  { what: 'interOpThreads 5000', options: { interOpThreads: 5000 }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['interOpThreads', 'number 5000'] } },
  { what: "graphOptimization 'max'", options: { graphOptimization: 'max' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['graphOptimization', 'must be one of', "'disabled'", "'all'"] } },
  { what: "executionMode 'fast'", options: { executionMode: 'fast' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['executionMode', 'must be one of', "'sequential'", "'parallel'"] } },
  { what: "logLevel 'loud'", options: { logLevel: 'loud' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['logLevel', "'verbose'", "'fatal'"] } },
  { what: "memoryArena 'yes'", options: { memoryArena: 'yes' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['memoryArena', 'boolean'] } },
  { what: 'profile 5', options: { profile: 5 }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['profile', 'boolean or a file name prefix', 'number 5'] } },
  { what: "name ''", options: { name: '' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['name must be a non-empty string'] } },
  { what: "providers 'gpu'", options: { providers: 'gpu' }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers', 'non-empty array'] } },
  { what: 'providers []', options: { providers: [] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers', 'non-empty array'] } },
  { what: "providers ['gpu']", options: { providers: ['gpu'] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers[0]', 'must be one of', "'cpu'", "'cuda'"] } },
  { what: 'providers [42]', options: { providers: [42] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers[0]', 'provider name or { name, ... }', 'number 42'] } },
  { what: 'a provider deviceId of -1', options: { providers: [{ name: 'cuda', deviceId: -1 }] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['providers[0].deviceId', 'non-negative integer'] } },
  { what: 'a provider option that is an object', options: { providers: [{ name: 'cuda', gpu_mem_limit: {} }] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers[0].gpu_mem_limit', 'string, number or boolean'] } },
  { what: 'options for the cpu provider', options: { providers: [{ name: 'cpu', threads: 2 }] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['providers[0]', 'cpu provider takes no options'] } },
  { what: 'freeDimensions { N: -1 }', options: { freeDimensions: { N: -1 } }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['freeDimensions.N', 'non-negative integer', 'number -1'] } },
  { what: "freeDimensions { N: '1' }", options: { freeDimensions: { N: '1' } }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['freeDimensions.N', 'non-negative integer', 'string "1"'] } },
  { what: 'freeDimensions that is an array', options: { freeDimensions: [['N', 1]] }, expected: { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['freeDimensions must be an object'] } },
];

describe('Session.create: bad options', () => {
  it.each(kBadOptions)('$what', async ({ options, expected }) => {
    await expectRejects(() => Session.create(kAdd, bad<SessionOptions>(options)), { ...expected, includes: ['Session.create', ...(expected.includes ?? [])] });
  });

  it('messages show the string that came, not only its type', async () => {
    // describe() prints "received string" for any string, so 'max', 'fast' or 'gpu' never appear
    // in the message; the user cannot see which value was wrong.
    const cases: Array<[string, SessionOptions, string]> = [
      ['intraOpThreads', bad({ intraOpThreads: 'two' }), 'two'],
      ['graphOptimization', bad({ graphOptimization: 'max' }), 'max'],
      ['executionMode', bad({ executionMode: 'fast' }), 'fast'],
      ['providers', bad({ providers: 'gpu' }), 'gpu'],
      ['providers[0]', bad({ providers: ['gpu'] }), 'gpu'],
      ['logLevel', bad({ logLevel: 'loud' }), 'loud'],
    ];
    for (const [option, options, value] of cases) {
      const error = await Session.create(kAdd, options).then(
        () => expect.unreachable(`${option} should be rejected`),
        (rejection: unknown) => rejection as Error,
      );
      expect.soft(error.message, `${option}: ${error.message}`).toMatch(new RegExp(`["']${value}["']`));
    }
  });

  it('an options object whose getter throws rejects with that error (no synchronous throw)', async () => {
    const boom = new Error('boom from a getter');
    const options = new Proxy({}, { get: () => { throw boom; } });
    const returned = Session.create(kAdd, options);
    expect(returned).toBeInstanceOf(Promise);
    await expect(returned).rejects.toBe(boom);
  });

  it('after all of the above, a good create still works', async () => {
    const session = await Session.create(kAdd, { intraOpThreads: 1 });
    expect(session.inputs.map((input) => input.name)).toEqual(['x']);
    await session.close();
  });
});

describe('Session.create: providers this machine lacks', () => {
  // onnxruntime-node's library lists the CUDA and TensorRT providers among its built-in ones, but
  // their provider libraries (and libonnxruntime_providers_shared.so) are not installed here.
  const cases: Array<[string, SessionOptions['providers']]> = [
    ["['cuda']", ['cuda']],
    ["[{ name: 'cuda', deviceId: 0 }]", [{ name: 'cuda', deviceId: 0 }]],
    ["['tensorrt']", ['tensorrt']],
  ];

  it.each(cases)('%s is ERR_INFERLINE_PROVIDER_UNAVAILABLE saying what is missing', async (_what, providers) => {
    const name = JSON.stringify(providers).includes('tensorrt') ? 'tensorrt' : 'cuda';
    if (runtimeInfo().providers.includes(name)) return; // a machine that has it: nothing to test
    const error = await Session.create(kAdd, { providers }).then(
      () => expect.unreachable(`${name} should not be available on this machine`),
      (rejection: unknown) => rejection,
    );
    // Today ORT's UpdateCUDAProviderOptions fails first (it loads the provider bridge) and that
    // failure is surfaced as ERR_INFERLINE_ORT; only Create/Append failures are mapped.
    expectInferlineError(error, {
      code: 'ERR_INFERLINE_PROVIDER_UNAVAILABLE',
      kind: 'InferlineError',
      includes: [`"${name}"`, 'not available', 'libonnxruntime_providers_shared.so', "providers: ['cpu']"],
    });
  });

  it("['cuda'] fails (whatever the code) with ONNX Runtime's reason kept: the missing provider library", async () => {
    if (runtimeInfo().providers.includes('cuda')) return;
    const error = await Session.create(kAdd, { providers: ['cuda'] }).then(
      () => expect.unreachable('cuda should not be available on this machine'),
      (rejection: unknown) => rejection as Error & { code?: string },
    );
    expect(error.code).toMatch(/^ERR_INFERLINE_(PROVIDER_UNAVAILABLE|ORT)$/);
    expect(error.message).toContain('libonnxruntime_providers_shared.so');
  });
});
