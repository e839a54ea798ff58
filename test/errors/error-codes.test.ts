// The error codes as API: every factory builds the class, name and code it promises; errors that
// cross from the addon map to the same codes; every code is documented in docs/errors.md and
// raised by a test in this folder, in test/model/ (the Model layer's own codes), in test/pool/
// (the worker pool's), in test/cache/ (the result cache's), in test/repository/ (the model
// repository's) or in test/server/grpc/ and test/server/http/ (the serving fronts').
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorFromNative, errors, InferlineError } from '../../src/errors.js';
import { InferlineError as PublicInferlineError } from '../../src/index.js';
import { type ErrorKind, expectInferlineError } from '../helpers/expect-error.js';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The codes of the InferlineErrorCode union, read from its source. */
function declaredCodes(): string[] {
  const source = readFileSync(join(kRoot, 'src', 'errors.ts'), 'utf8');
  const union = /export type InferlineErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'(ERR_INFERLINE_[A-Z_]+)'/g)].map((match) => match[1]!);
}

describe('error factories', () => {
  const cases: Array<[keyof typeof errors, string, ErrorKind]> = [
    ['invalidArg', 'ERR_INFERLINE_INVALID_ARG', 'TypeError'],
    ['outOfRange', 'ERR_INFERLINE_INVALID_ARG', 'RangeError'],
    ['unknownOption', 'ERR_INFERLINE_UNKNOWN_OPTION', 'TypeError'],
    ['invalidTensor', 'ERR_INFERLINE_INVALID_TENSOR', 'TypeError'],
    ['invalidTensorRange', 'ERR_INFERLINE_INVALID_TENSOR', 'RangeError'],
    ['unknownInput', 'ERR_INFERLINE_UNKNOWN_INPUT', 'TypeError'],
    ['missingInput', 'ERR_INFERLINE_MISSING_INPUT', 'TypeError'],
    ['unknownOutput', 'ERR_INFERLINE_UNKNOWN_OUTPUT', 'TypeError'],
    ['dtypeMismatch', 'ERR_INFERLINE_DTYPE_MISMATCH', 'TypeError'],
    ['shapeMismatch', 'ERR_INFERLINE_SHAPE_MISMATCH', 'RangeError'],
    ['detachedBuffer', 'ERR_INFERLINE_DETACHED_BUFFER', 'TypeError'],
    ['modelNotFound', 'ERR_INFERLINE_MODEL_NOT_FOUND', 'InferlineError'],
    ['runtimeLoad', 'ERR_INFERLINE_RUNTIME_LOAD', 'InferlineError'],
    ['addonLoad', 'ERR_INFERLINE_ADDON_LOAD', 'InferlineError'],
    ['ort', 'ERR_INFERLINE_ORT', 'InferlineError'],
    ['sessionClosed', 'ERR_INFERLINE_SESSION_CLOSED', 'InferlineError'],
    ['aborted', 'ERR_INFERLINE_ABORTED', 'AbortError'],
    ['providerUnavailable', 'ERR_INFERLINE_PROVIDER_UNAVAILABLE', 'InferlineError'],
    ['unsupported', 'ERR_INFERLINE_UNSUPPORTED', 'InferlineError'],
    ['internal', 'ERR_INFERLINE_INTERNAL', 'InferlineError'],
    ['queueFull', 'ERR_INFERLINE_QUEUE_FULL', 'InferlineError'],
    ['timeout', 'ERR_INFERLINE_TIMEOUT', 'InferlineError'],
    ['modelUnloaded', 'ERR_INFERLINE_MODEL_UNLOADED', 'InferlineError'],
    ['handlerLoad', 'ERR_INFERLINE_HANDLER_LOAD', 'InferlineError'],
    ['handlerFailed', 'ERR_INFERLINE_HANDLER_FAILED', 'InferlineError'],
    ['handlerResult', 'ERR_INFERLINE_HANDLER_RESULT', 'InferlineError'],
    ['workerCrashed', 'ERR_INFERLINE_WORKER_CRASHED', 'InferlineError'],
    ['poolClosed', 'ERR_INFERLINE_POOL_CLOSED', 'InferlineError'],
    ['cacheSnapshotMismatch', 'ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH', 'InferlineError'],
    ['cacheSnapshotInvalid', 'ERR_INFERLINE_CACHE_SNAPSHOT_INVALID', 'InferlineError'],
    ['cacheSnapshotIo', 'ERR_INFERLINE_CACHE_SNAPSHOT_IO', 'InferlineError'],
    ['unknownModel', 'ERR_INFERLINE_UNKNOWN_MODEL', 'InferlineError'],
    ['modelNotReady', 'ERR_INFERLINE_MODEL_NOT_READY', 'InferlineError'],
    ['modelConfig', 'ERR_INFERLINE_MODEL_CONFIG', 'InferlineError'],
    ['unauthorized', 'ERR_INFERLINE_UNAUTHORIZED', 'InferlineError'],
    ['payloadTooLarge', 'ERR_INFERLINE_PAYLOAD_TOO_LARGE', 'InferlineError'],
  ];

  it('every factory is listed here', () => {
    expect(Object.keys(errors).sort()).toEqual(cases.map(([factory]) => factory).sort());
  });

  it.each(cases)('errors.%s() is %s as %s', (factory, code, kind) => {
    const error = (errors[factory] as (message: string) => Error)('what went wrong');
    expectInferlineError(error, { code: code as never, kind, includes: ['what went wrong'] });
    expect(error).toBeInstanceOf(PublicInferlineError); // the class users import
    expect(Object.keys(error)).toContain('code'); // enumerable, shows in util.inspect and logs
    expect(error.stack).toContain('what went wrong');
  });

  it('ort() keeps ONNX Runtime\'s code; wrappers keep their cause', () => {
    expect(errors.ort('failed', 7).ortCode).toBe(7);
    const cause = new Error('ENOENT');
    expect(errors.modelNotFound('no file', cause).cause).toBe(cause);
    expect(errors.runtimeLoad('no lib', cause).cause).toBe(cause);
    expect(errors.addonLoad('no addon', cause).cause).toBe(cause);
    expect(errors.aborted('stopped', cause).cause).toBe(cause);
    expect(errors.handlerLoad('no module', cause).cause).toBe(cause);
    expect(errors.handlerFailed('threw', cause).cause).toBe(cause);
    expect(errors.handlerResult('bad feeds', cause).cause).toBe(cause);
    expect(errors.workerCrashed('died', cause).cause).toBe(cause);
    expect(errors.cacheSnapshotInvalid('not msgpack', cause).cause).toBe(cause);
    expect(errors.cacheSnapshotIo('ENOENT', cause).cause).toBe(cause);
  });

  it('instanceof InferlineError is a brand check: it holds across copies of the module', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('inferline.error'), { value: true });
    expect(foreign instanceof InferlineError).toBe(true);
    expect(new Error('x') instanceof InferlineError).toBe(false);
    expect((null as unknown) instanceof InferlineError).toBe(false);
  });

  it('new InferlineError(code, message) builds a plain coded error', () => {
    const error = new InferlineError('ERR_INFERLINE_INTERNAL', 'bug', { cause: 1 });
    expectInferlineError(error, { code: 'ERR_INFERLINE_INTERNAL', kind: 'InferlineError', includes: ['bug'] });
    expect(error.cause).toBe(1);
  });
});

describe('errors from the addon (errorFromNative)', () => {
  const cases: Array<[string, ErrorKind]> = [
    ['ERR_INFERLINE_INVALID_ARG', 'TypeError'],
    ['ERR_INFERLINE_ORT', 'InferlineError'],
    ['ERR_INFERLINE_ABORTED', 'AbortError'],
    ['ERR_INFERLINE_RUNTIME_LOAD', 'InferlineError'],
    ['ERR_INFERLINE_SESSION_CLOSED', 'InferlineError'],
    ['ERR_INFERLINE_PROVIDER_UNAVAILABLE', 'InferlineError'],
    ['ERR_INFERLINE_UNSUPPORTED', 'InferlineError'],
    ['ERR_INFERLINE_INTERNAL', 'InferlineError'],
  ];

  it.each(cases)('%s becomes %s with the same code', (code, kind) => {
    const error = errorFromNative(code, 'from C++', 0);
    expectInferlineError(error, { code: code as never, kind, includes: ['from C++'] });
  });

  it('ERR_INFERLINE_ORT keeps ortCode', () => {
    expect((errorFromNative('ERR_INFERLINE_ORT', 'x', 2) as InferlineError).ortCode).toBe(2);
  });

  it('an unknown code from C++ becomes ERR_INFERLINE_INTERNAL rather than passing through', () => {
    expectInferlineError(errorFromNative('ERR_SOMETHING_NEW', 'from C++', 0), { code: 'ERR_INFERLINE_INTERNAL', kind: 'InferlineError', includes: ['from C++'] });
  });
});

describe('codes are API', () => {
  const codes = declaredCodes();

  it('src/errors.ts declares the codes', () => {
    expect(codes.length).toBeGreaterThanOrEqual(18);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('docs/errors.md has one section per code, and no section for a code that does not exist', () => {
    const doc = readFileSync(join(kRoot, 'docs', 'errors.md'), 'utf8');
    const sections = [...doc.matchAll(/^## `?(ERR_INFERLINE_[A-Z_]+)`?\s*$/gm)].map((match) => match[1]!);
    expect([...sections].sort()).toEqual([...codes].sort());
  });

  it('every code is raised by a test in test/errors/, test/model/, test/pool/, test/cache/, test/repository/, test/server/grpc/ or test/server/http/', () => {
    const self = fileURLToPath(import.meta.url);
    const testsIn = (dir: string): string =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.test.ts') && join(dir, name) !== self)
        .map((name) => readFileSync(join(dir, name), 'utf8'))
        .join('\n');
    const errorsDir = join(kRoot, 'test', 'errors');
    const texts = testsIn(errorsDir) + testsIn(join(kRoot, 'test', 'model')) + testsIn(join(kRoot, 'test', 'pool')) + testsIn(join(kRoot, 'test', 'cache'))
      + testsIn(join(kRoot, 'test', 'repository')) + testsIn(join(kRoot, 'test', 'server', 'grpc')) + testsIn(join(kRoot, 'test', 'server', 'http'));
    const fixtures = readdirSync(join(errorsDir, 'fixtures')).map((name) => readFileSync(join(errorsDir, 'fixtures', name), 'utf8')).join('\n');
    for (const code of codes) expect(texts + fixtures, code).toContain(`'${code}'`);
  });
});
