// The cache's options and identity are checked when it is made, each message naming the model,
// the option, what it accepts and what came (the same checks Model.load will run on `cache`).
import { describe, expect, it } from 'vitest';
import { resolveCacheOptions } from '../../src/cache/cache-options.js';
import { ResultCache } from '../../src/cache/result-cache.js';
import { expectThrows } from '../helpers/expect-error.js';

const kIdentity = { model: 'det', version: '1' };
const make = (options: unknown, identity: unknown = kIdentity, clock?: unknown) => () =>
  new ResultCache(options as never, identity as never, clock as never);

describe('ResultCache options', () => {
  it('fills defaults: no TTL', () => {
    expect(resolveCacheOptions({ maxBytes: 1024 }, 'x')).toEqual({ maxBytes: 1024, ttlMs: Infinity });
    expect(resolveCacheOptions({ maxBytes: 1, ttlMs: 5 }, 'x')).toEqual({ maxBytes: 1, ttlMs: 5 });
    expect(new ResultCache({ maxBytes: 1024 }, kIdentity).stats()).toMatchObject({ maxBytes: 1024, entries: 0, bytes: 0 });
  });

  it.each([
    ['missing maxBytes', {}, 'TypeError', ['Model "det" cache: maxBytes is required']],
    ['maxBytes not a number', { maxBytes: '1MB' }, 'TypeError', ['Model "det" cache: maxBytes must be an integer from 1', 'string "1MB"']],
    ['maxBytes zero', { maxBytes: 0 }, 'RangeError', ['maxBytes must be an integer from 1', 'number 0']],
    ['maxBytes fractional', { maxBytes: 1.5 }, 'RangeError', ['maxBytes', 'number 1.5']],
    ['maxBytes NaN', { maxBytes: Number.NaN }, 'RangeError', ['maxBytes', 'NaN']],
    ['ttlMs zero', { maxBytes: 10, ttlMs: 0 }, 'RangeError', ['Model "det" cache: ttlMs must be an integer from 1', 'number 0']],
    ['ttlMs Infinity', { maxBytes: 10, ttlMs: Infinity }, 'RangeError', ['ttlMs', 'Infinity']],
    ['ttlMs a string', { maxBytes: 10, ttlMs: '5s' }, 'TypeError', ['ttlMs', 'string "5s"']],
    ['options not an object', 1024, 'TypeError', ['Model "det" cache: options must be an object', 'number 1024']],
    ['options null', null, 'TypeError', ['options must be an object', 'null']],
  ] as const)('%s: ERR_INFERLINE_INVALID_ARG', (_what, options, kind, includes) => {
    expectThrows(make(options), { code: 'ERR_INFERLINE_INVALID_ARG', kind, includes });
  });

  it('a misspelt option names the right one: ERR_INFERLINE_UNKNOWN_OPTION', () => {
    expectThrows(make({ maxByte: 10 }), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['Model "det" cache: unknown option "maxByte"', 'did you mean "maxBytes"?'] });
    expectThrows(make({ maxBytes: 10, ttl: 5 }), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "ttl"', '"ttlMs"'] });
  });

  it.each([
    ['not an object', 'det', ['ResultCache: identity must be { model, version }', 'string "det"']],
    ['an empty model name', { model: '', version: '1' }, ['identity.model must be a non-empty string', 'string ""']],
    ['a numeric version', { model: 'det', version: 1 }, ['identity.version must be a string', 'number 1']],
  ] as const)('identity %s: ERR_INFERLINE_INVALID_ARG', (_what, identity, includes) => {
    expectThrows(make({ maxBytes: 10 }, identity), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes });
  });

  it('a clock that is not a function: ERR_INFERLINE_INVALID_ARG', () => {
    expectThrows(make({ maxBytes: 10 }, kIdentity, 5), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['clock must be a function', 'number 5'] });
  });
});
