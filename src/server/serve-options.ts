/** serve()'s options: checked once, defaults filled. */
import { errors } from '../errors.js';
import { Model } from '../model/model.js';
import type { ServedModels } from '../repository/served-models.js';
import { checkKnownOptions, describe, integerOption, isPlainObject, optionsObject } from '../validate.js';
import { authToken, servedModelsOption } from './http/http-options.js';

export interface ListenOptions {
  /** 0 picks a free port (see the result's port). */
  port?: number;
  /** Default '127.0.0.1'; '0.0.0.0' (or '::') to be reachable from other hosts, e.g. in a container. */
  host?: string;
}

export interface ServeOptions {
  /** A model repository directory (opened, polled every pollMs, and closed by close()), or a ServedModels. */
  repository?: string | ServedModels;
  /** Models already loaded, instead of a repository (they stay the caller's: close() leaves them loaded). */
  models?: Model[];
  /** The KServe REST front; default port 8000. false: none. */
  http?: ListenOptions | false;
  /** The KServe gRPC front; default port 8001. false: none. */
  grpc?: ListenOptions | false;
  /** Prometheus metrics: true for GET /metrics on the HTTP port, { port } for a port of its own (default 8002). */
  metrics?: boolean | ListenOptions;
  /** Require `Authorization: Bearer <token>` (gRPC: `authorization` metadata) except on health probes. */
  auth?: { token: string };
  /** Largest request body (REST) and message (gRPC), in bytes. Default 64 MiB. */
  bodyLimit?: number;
  /** For a repository directory: scan for changes every this many ms (0: never). */
  pollMs?: number;
}

export interface ResolvedListen {
  port: number;
  host: string;
}

export interface ResolvedServeOptions {
  /** Where the models come from. */
  source: { directory: string } | { served: ServedModels } | { models: Model[] };
  http: ResolvedListen | undefined;
  grpc: ResolvedListen | undefined;
  /** 'http': on the HTTP port; a ResolvedListen: its own port; undefined: none. */
  metrics: 'http' | ResolvedListen | undefined;
  token: string | undefined;
  bodyLimit: number | undefined;
  pollMs: number | undefined;
}

const kOptionNames = ['repository', 'models', 'http', 'grpc', 'metrics', 'auth', 'bodyLimit', 'pollMs'] as const;
export const kDefaultPorts = { http: 8000, grpc: 8001, metrics: 8002 } as const;
const kDefaultHost = '127.0.0.1';

function listenOption(value: unknown, what: string, defaultPort: number): ResolvedListen | undefined {
  if (value === false) return undefined;
  const options = optionsObject(value, what);
  checkKnownOptions(options, ['port', 'host'], what);
  const port = options.port === undefined ? defaultPort : integerOption(options.port, `${what}.port`, 0, 65535);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host.length === 0)) {
    throw errors.invalidArg(`${what}.host must be a host name or address, received ${describe(options.host)}`);
  }
  return { port, host: (options.host as string | undefined) ?? kDefaultHost };
}

function sourceOf(options: Record<string, unknown>): ResolvedServeOptions['source'] {
  const { repository, models } = options;
  if ((repository === undefined) === (models === undefined)) {
    throw errors.invalidArg('serve: give either repository (a directory or a ServedModels) or models (loaded Models), not both and not neither');
  }
  if (models !== undefined) {
    if (!Array.isArray(models) || models.length === 0 || !models.every((model) => model instanceof Model)) {
      throw errors.invalidArg(`serve: models must be a non-empty array of loaded Models, received ${describe(models)}`);
    }
    return { models: models as Model[] };
  }
  if (typeof repository === 'string') {
    if (repository.length === 0) throw errors.invalidArg('serve: repository must be a directory path or a ServedModels, received an empty string');
    return { directory: repository };
  }
  return { served: servedModelsOption(repository, 'serve: repository') };
}

/** @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION */
export function resolveServeOptions(input: unknown): ResolvedServeOptions {
  if (!isPlainObject(input)) throw errors.invalidArg(`serve: options must be an object, received ${describe(input)}`);
  checkKnownOptions(input, kOptionNames, 'serve');
  const source = sourceOf(input);
  if (input.pollMs !== undefined && !('directory' in source)) throw errors.invalidArg('serve: pollMs applies to a repository directory only');
  const http = listenOption(input.http, 'serve: http', kDefaultPorts.http);
  const metricsOption = input.metrics ?? false;
  let metrics: ResolvedServeOptions['metrics'];
  if (metricsOption === true) {
    if (http === undefined) throw errors.invalidArg('serve: metrics: true serves /metrics on the HTTP port, but http is false; give metrics: { port }');
    metrics = 'http';
  } else if (metricsOption !== false) {
    metrics = listenOption(metricsOption, 'serve: metrics', kDefaultPorts.metrics);
  }
  return {
    source,
    http,
    grpc: listenOption(input.grpc, 'serve: grpc', kDefaultPorts.grpc),
    metrics,
    token: authToken(input.auth, 'serve: auth'),
    bodyLimit: input.bodyLimit === undefined ? undefined : integerOption(input.bodyLimit, 'serve: bodyLimit', 1, Number.MAX_SAFE_INTEGER),
    pollMs: input.pollMs === undefined ? undefined : integerOption(input.pollMs, 'serve: pollMs', 0, 2 ** 31 - 1),
  };
}
