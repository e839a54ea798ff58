/** Options of the KServe REST front (fastify plugin and node:http handler), checked once. */
import { errors } from '../../errors.js';
import type { ServedModels } from '../../repository/served-models.js';
import { checkKnownOptions, describe, integerOption, isPlainObject } from '../../validate.js';
import type { RequestObserver } from '../metrics/request-observation.js';
import type { AuthOptions } from './bearer-auth.js';

export interface KserveHttpOptions {
  /** The models to serve: a ModelRepository, StaticModels, or any ServedModels. */
  models: ServedModels;
  /** Require `Authorization: Bearer <token>` on every route but the health probes. */
  auth?: AuthOptions;
  /** Largest request body in bytes; larger ones get 413 without being held. Default 64 MiB. */
  bodyLimit?: number;
  /** Told about every infer request answered, failures included (createMetrics(...).observeRequest). */
  observeRequest?: RequestObserver;
}

export interface ResolvedHttpOptions {
  models: ServedModels;
  /** The bearer token, or undefined for no auth. */
  token: string | undefined;
  bodyLimit: number;
  observeRequest: RequestObserver | undefined;
}

/** 64 MiB: a batch of 64 RGB 512×512 float32 images is 192 MiB, so big batches must ask for it. */
export const kDefaultBodyLimitBytes = 64 * 1024 * 1024;

const kServedModelsMethods = ['get', 'index', 'ready', 'load', 'unload'] as const;

/** Names fastify itself adds to a plugin's options (register's own). */
const kRegisterOptionNames = ['prefix', 'logLevel', 'logSerializers'];

/** Checks the options given to kserveHttp or createKserveHandler; `what` names the caller. */
export function resolveHttpOptions(options: unknown, what: string, extraNames: readonly string[] = []): ResolvedHttpOptions {
  if (!isPlainObject(options)) throw errors.invalidArg(`${what}: options must be an object with models, received ${describe(options)}`);
  checkKnownOptions(options, ['models', 'auth', 'bodyLimit', 'observeRequest', ...kRegisterOptionNames, ...extraNames], what);
  if (options.observeRequest !== undefined && typeof options.observeRequest !== 'function') {
    throw errors.invalidArg(`${what}: observeRequest must be a function, received ${describe(options.observeRequest)}`);
  }
  return {
    observeRequest: options.observeRequest as RequestObserver | undefined,
    models: servedModelsOption(options.models, `${what}: models`),
    token: authToken(options.auth, `${what}: auth`),
    bodyLimit: options.bodyLimit === undefined ? kDefaultBodyLimitBytes : integerOption(options.bodyLimit, `${what}: bodyLimit`, 1, Number.MAX_SAFE_INTEGER),
  };
}

export function servedModelsOption(models: unknown, what: string): ServedModels {
  if (typeof models !== 'object' || models === null || kServedModelsMethods.some((name) => typeof (models as Record<string, unknown>)[name] !== 'function')) {
    throw errors.invalidArg(`${what} must be a ServedModels (a ModelRepository or StaticModels: ${kServedModelsMethods.join(', ')}), received ${describe(models)}`);
  }
  return models as ServedModels;
}

/** The token of an `auth` option, or undefined when none is given. */
export function authToken(auth: unknown, what: string): string | undefined {
  if (auth === undefined) return undefined;
  if (!isPlainObject(auth)) throw errors.invalidArg(`${what} must be an object { token }, received ${describe(auth)}`);
  checkKnownOptions(auth, ['token'], what);
  if (typeof auth.token !== 'string' || auth.token.length === 0 || /\s/.test(auth.token)) {
    throw errors.invalidArg(`${what}.token must be a non-empty string without whitespace, received ${describe(auth.token)}`);
  }
  return auth.token;
}
