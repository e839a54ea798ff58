/** The result cache's options, checked once into a complete object (Model.load uses it too). */
import { errors } from '../errors.js';
import { checkKnownOptions, describe, integerOption, isPlainObject } from '../validate.js';

/** `cache` in a model's options. */
export interface ResultCacheOptions {
  /** Most bytes of stored inputs and outputs the cache holds; least recently used go first. */
  maxBytes: number;
  /** How long an entry stays valid after it is stored, in milliseconds; default: no limit. */
  ttlMs?: number;
}

export interface ResolvedCacheOptions {
  maxBytes: number;
  /** Infinity when no ttlMs was given. */
  ttlMs: number;
}

/** Whose results a cache holds: a snapshot is only loaded into a cache of the same identity. */
export interface CacheIdentity {
  model: string;
  version: string;
}

const kCacheOptionNames = ['maxBytes', 'ttlMs'] as const;

/**
 * Checks `options` (`what` names them in messages, e.g. `Model "det" cache`) and fills defaults.
 *
 * @throws ERR_INFERLINE_INVALID_ARG (TypeError for a wrong kind, RangeError out of range),
 * ERR_INFERLINE_UNKNOWN_OPTION for a key it does not know.
 */
export function resolveCacheOptions(options: unknown, what: string): ResolvedCacheOptions {
  if (!isPlainObject(options)) {
    throw errors.invalidArg(`${what}: options must be an object like { maxBytes: 64 << 20, ttlMs: 60_000 }, received ${describe(options)}`);
  }
  checkKnownOptions(options, kCacheOptionNames, what);
  if (options.maxBytes === undefined) throw errors.invalidArg(`${what}: maxBytes is required (the most bytes the cache may hold)`);
  const maxBytes = integerOption(options.maxBytes, `${what}: maxBytes`, 1, Number.MAX_SAFE_INTEGER);
  const ttlMs = options.ttlMs === undefined ? Infinity : integerOption(options.ttlMs, `${what}: ttlMs`, 1, Number.MAX_SAFE_INTEGER);
  return { maxBytes, ttlMs };
}

/** Checks the identity a cache is built for. */
export function checkIdentity(identity: unknown, what: string): CacheIdentity {
  if (!isPlainObject(identity)) throw errors.invalidArg(`${what}: identity must be { model, version }, received ${describe(identity)}`);
  if (typeof identity.model !== 'string' || identity.model === '') {
    throw errors.invalidArg(`${what}: identity.model must be a non-empty string, received ${describe(identity.model)}`);
  }
  if (typeof identity.version !== 'string') throw errors.invalidArg(`${what}: identity.version must be a string, received ${describe(identity.version)}`);
  return { model: identity.model, version: identity.version };
}
