/** Model.load's options: checked once, defaults filled, cross-checked (thread budget). */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResolvedCacheOptions, type ResultCacheOptions, resolveCacheOptions } from '../cache/cache-options.js';
import { errors } from '../errors.js';
import { WorkerPool } from '../pool/worker-pool.js';
import type { SessionOptions } from '../session/session-options.js';
import { checkKnownOptions, describe, integerOption, isInteger, isPlainObject, optionsObject } from '../validate.js';

export type BalancingPolicy = 'least-outstanding' | 'round-robin' | 'random';
export type TimeoutAction = 'reject' | 'delay';

export interface InstanceOptions {
  /** Sessions to start with; default min, or one per CPU core plus one when neither is given. */
  count?: number;
  /** Never fewer (autoscaling); default count. */
  min?: number;
  /** Never more (autoscaling); default count. */
  max?: number;
  /** How a batch picks among idle instances; default 'least-outstanding'. */
  policy?: BalancingPolicy;
  /** Scale up when more than this many rows stay queued...; default maxBatchSize (or 1). */
  scaleUpQueueRows?: number;
  /** ...for this long; default 50 ms. */
  scaleUpAfterMs?: number;
  /** Scale down an instance idle for this long; default 10 s. */
  scaleDownIdleMs?: number;
}

export interface BatchingOptions {
  /** Rows per batch at most (requests count by their dim 0). */
  maxBatchSize: number;
  /** Sizes to prefer when enough rows are queued (dispatched at once, without waiting). */
  preferredBatchSizes?: number[];
  /** How long a batch may wait to grow when an instance is free; default 0 (never waits). */
  maxQueueDelayMicros?: number;
  /** Requests queued at most; more are rejected at once with ERR_INFERLINE_QUEUE_FULL; default unbounded. */
  maxQueueSize?: number;
  /** Time in queue after which timeoutAction applies; default none. */
  defaultTimeoutMicros?: number;
  /** 'reject' (ERR_INFERLINE_TIMEOUT) or 'delay' (served after requests still in time). */
  timeoutAction?: TimeoutAction;
  /** Number of priority levels; priorities are 0 (first) to levels - 1. Default 1. */
  priorityLevels?: number;
  /** Priority of requests that give none; default the middle level. */
  defaultPriority?: number;
}

export interface ModelOptions {
  name: string;
  path?: string;
  bytes?: Uint8Array;
  version?: string | number;
  session?: SessionOptions;
  instances?: InstanceOptions;
  batching?: BatchingOptions | false;
  /** Result cache: outputs stored by request (every input's name, dtype, shape and bytes). */
  cache?: ResultCacheOptions | false;
  /**
   * Module run in a worker thread on each infer() input before the model sees it: its export
   * `(input, { model, version }) => feeds`. A path (relative to the working directory) or URL.
   */
  preprocess?: string | URL;
  /** Module run in a worker thread on each request's outputs: `(outputs, context) => result`. */
  postprocess?: string | URL;
  /** The pool that runs preprocess/postprocess; default one pool shared by every model. */
  workers?: WorkerPool;
}

/** Where a model's handler modules run. */
export interface ResolvedHandlers {
  /** file: URL of the preprocess module, if any. */
  preprocess: string | undefined;
  postprocess: string | undefined;
  /** The pool given, or undefined for the shared default (created on first use). */
  workers: WorkerPool | undefined;
}

/** Everything filled in: what the scheduler and batcher read. */
export interface ResolvedModelOptions {
  name: string;
  source: string | Uint8Array;
  version: string;
  session: SessionOptions;
  instances: Required<InstanceOptions>;
  /** Queue policy; also for models run one request at a time (batching false: maxBatchSize 1). */
  queue: Required<Omit<BatchingOptions, 'preferredBatchSizes'>> & { preferredBatchSizes: number[] };
  batching: boolean;
  cache: ResolvedCacheOptions | false;
  handlers: ResolvedHandlers;
}

const kModelOptionNames = ['name', 'path', 'bytes', 'version', 'session', 'instances', 'batching', 'cache', 'preprocess', 'postprocess', 'workers'] as const;
const kInstanceOptionNames = ['count', 'min', 'max', 'policy', 'scaleUpQueueRows', 'scaleUpAfterMs', 'scaleDownIdleMs'] as const;
const kBatchingOptionNames = ['maxBatchSize', 'preferredBatchSizes', 'maxQueueDelayMicros', 'maxQueueSize', 'defaultTimeoutMicros', 'timeoutAction', 'priorityLevels', 'defaultPriority'] as const;
const kPolicies: readonly BalancingPolicy[] = ['least-outstanding', 'round-robin', 'random'];

function count(value: unknown, what: string, min: number, max = 1_000_000_000): number {
  return integerOption(value, what, min, max);
}

function optionalCount(value: unknown, what: string, min: number, fallback: number, max?: number): number {
  return value === undefined ? fallback : count(value, what, min, max);
}

function resolveBatching(input: unknown, what: string): ResolvedModelOptions['queue'] & { enabled: boolean } {
  if (input === false || input === undefined) {
    return {
      enabled: false, maxBatchSize: 1, preferredBatchSizes: [], maxQueueDelayMicros: 0, maxQueueSize: Infinity,
      defaultTimeoutMicros: Infinity, timeoutAction: 'reject', priorityLevels: 1, defaultPriority: 0,
    };
  }
  if (!isPlainObject(input)) throw errors.invalidArg(`${what}.batching must be an object or false, received ${describe(input)}`);
  checkKnownOptions(input, kBatchingOptionNames, `${what}.batching`);
  const maxBatchSize = count(input.maxBatchSize, `${what}.batching.maxBatchSize`, 1, 1 << 20);
  let preferred: number[] = [];
  if (input.preferredBatchSizes !== undefined) {
    if (!Array.isArray(input.preferredBatchSizes)) throw errors.invalidArg(`${what}.batching.preferredBatchSizes must be an array of integers`);
    preferred = input.preferredBatchSizes.map((size, i) => count(size, `${what}.batching.preferredBatchSizes[${i}]`, 1, maxBatchSize));
    preferred = [...new Set(preferred)].sort((a, b) => a - b);
  }
  const priorityLevels = optionalCount(input.priorityLevels, `${what}.batching.priorityLevels`, 1, 1, 1000);
  const timeoutAction = input.timeoutAction ?? 'reject';
  if (timeoutAction !== 'reject' && timeoutAction !== 'delay') {
    throw errors.invalidArg(`${what}.batching.timeoutAction must be 'reject' or 'delay', received ${describe(timeoutAction)}`);
  }
  return {
    enabled: true,
    maxBatchSize,
    preferredBatchSizes: preferred,
    maxQueueDelayMicros: optionalCount(input.maxQueueDelayMicros, `${what}.batching.maxQueueDelayMicros`, 0, 0),
    maxQueueSize: optionalCount(input.maxQueueSize, `${what}.batching.maxQueueSize`, 1, Infinity),
    defaultTimeoutMicros: optionalCount(input.defaultTimeoutMicros, `${what}.batching.defaultTimeoutMicros`, 1, Infinity),
    timeoutAction,
    priorityLevels,
    defaultPriority: optionalCount(input.defaultPriority, `${what}.batching.defaultPriority`, 0, Math.floor((priorityLevels - 1) / 2), priorityLevels - 1),
  };
}

function resolveInstances(input: unknown, what: string, queueRows: number): Required<InstanceOptions> {
  const options = optionsObject(input, `${what}.instances`);
  checkKnownOptions(options, kInstanceOptionNames, `${what}.instances`);
  const cores = availableParallelism();
  const givenCount = options.count === undefined ? undefined : count(options.count, `${what}.instances.count`, 1, 1024);
  const min = optionalCount(options.min, `${what}.instances.min`, 1, givenCount ?? 1, 1024);
  // Default: one instance per core plus one. With one per core, a core idles while the JS
  // thread hands a finished batch's results back and forms the next; the extra instance has a
  // batch ready for it (measured, MLP with 64 callers on 2 cores: 2 instances 100k items/s, 3
  // instances 133k, 4 instances 121k).
  const initial = givenCount ?? (options.min !== undefined ? min : cores + 1);
  const max = optionalCount(options.max, `${what}.instances.max`, 1, Math.max(initial, min), 1024);
  if (min > max) throw errors.outOfRange(`${what}.instances: min (${min}) is above max (${max})`);
  if (initial < min || initial > max) throw errors.outOfRange(`${what}.instances.count (${initial}) must lie between min (${min}) and max (${max})`);
  const policy = options.policy ?? 'least-outstanding';
  if (!kPolicies.includes(policy as BalancingPolicy)) {
    throw errors.invalidArg(`${what}.instances.policy must be one of ${kPolicies.map((p) => `'${p}'`).join(', ')}, received ${describe(policy)}`);
  }
  return {
    count: initial,
    min,
    max,
    policy: policy as BalancingPolicy,
    scaleUpQueueRows: optionalCount(options.scaleUpQueueRows, `${what}.instances.scaleUpQueueRows`, 0, queueRows),
    scaleUpAfterMs: optionalCount(options.scaleUpAfterMs, `${what}.instances.scaleUpAfterMs`, 0, 50),
    scaleDownIdleMs: optionalCount(options.scaleDownIdleMs, `${what}.instances.scaleDownIdleMs`, 1, 10_000),
  };
}

/**
 * The thread budget: unless the caller chose intraOpThreads, each instance gets an equal share of
 * the cores (at least one), so that instances × intra-op threads does not oversubscribe them.
 */
function resolveSession(input: unknown, what: string, instances: number): SessionOptions {
  const options = optionsObject(input, `${what}.session`) as SessionOptions;
  if (options.intraOpThreads !== undefined) {
    const cores = availableParallelism();
    if (options.intraOpThreads * instances > cores) {
      process.emitWarning(
        `${what}: ${instances} instances × ${options.intraOpThreads} intra-op threads exceed the ${cores} cores; runs will compete for them`,
        { code: 'INFERLINE_THREADS_OVERSUBSCRIBED' },
      );
    }
    return options;
  }
  return { ...options, intraOpThreads: Math.max(1, Math.floor(availableParallelism() / instances)) };
}

export function resolveModelOptions(input: unknown): ResolvedModelOptions {
  if (!isPlainObject(input)) throw errors.invalidArg(`Model.load: options must be an object with a name and a path or bytes, received ${describe(input)}`);
  checkKnownOptions(input, kModelOptionNames, 'Model.load');
  if (typeof input.name !== 'string' || input.name.length === 0) throw errors.invalidArg(`Model.load: name must be a non-empty string, received ${describe(input.name)}`);
  const what = `Model "${input.name}"`;
  if ((input.path === undefined) === (input.bytes === undefined)) throw errors.invalidArg(`${what}: give exactly one of path and bytes`);
  let source: string | Uint8Array;
  if (input.path !== undefined) {
    if (typeof input.path !== 'string' || input.path.length === 0) throw errors.invalidArg(`${what}: path must be a non-empty string, received ${describe(input.path)}`);
    source = input.path;
  } else {
    if (!(input.bytes instanceof Uint8Array)) throw errors.invalidArg(`${what}: bytes must be a Uint8Array, received ${describe(input.bytes)}`);
    source = input.bytes;
  }
  if (input.version !== undefined && typeof input.version !== 'string' && !isInteger(input.version, 0)) {
    throw errors.invalidArg(`${what}: version must be a string or a non-negative integer, received ${describe(input.version)}`);
  }
  const cache = input.cache === undefined || input.cache === false ? false : resolveCacheOptions(input.cache, `${what} cache`);
  const handlers = resolveHandlers(input, what);
  const queue = resolveBatching(input.batching, what);
  const instances = resolveInstances(input.instances, what, queue.maxBatchSize);
  const { enabled, ...queuePolicy } = queue;
  return {
    name: input.name,
    source,
    version: input.version === undefined ? '1' : String(input.version),
    session: resolveSession(input.session, what, instances.count),
    instances,
    queue: queuePolicy,
    batching: enabled,
    cache,
    handlers,
  };
}

/** A handler module as a file: URL; relative paths are taken from the working directory. */
function handlerUrl(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw errors.invalidArg(`${what} must be a file: URL or a path, received ${value.href}`);
    return value.href;
  }
  if (typeof value !== 'string' || value.length === 0) throw errors.invalidArg(`${what} must be a module path or file: URL, received ${describe(value)}`);
  // A scheme (but not a Windows drive letter) makes it a URL, which must be a file: URL.
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) {
    if (!value.startsWith('file:')) throw errors.invalidArg(`${what} must be a file: URL or a path, received ${JSON.stringify(value)}`);
    return new URL(value).href;
  }
  return pathToFileURL(isAbsolute(value) ? value : resolve(value)).href;
}

function resolveHandlers(input: Record<string, unknown>, what: string): ResolvedHandlers {
  const workers = input.workers;
  if (workers !== undefined && !(workers instanceof WorkerPool)) {
    throw errors.invalidArg(`${what}: workers must be a WorkerPool, received ${describe(workers)}`);
  }
  return {
    preprocess: handlerUrl(input.preprocess, `${what}: preprocess`),
    postprocess: handlerUrl(input.postprocess, `${what}: postprocess`),
    workers,
  };
}
