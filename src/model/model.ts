import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errors, withCallerStack } from '../errors.js';
import { kResetCacheCounts } from '../cache/internal.js';
import { ResultCache } from '../cache/result-cache.js';
import { sharedWorkerPool } from '../pool/shared-pool.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import { kBindFeeds } from '../session/internal.js';
import type { BoundFeeds } from '../session/feed-binder.js';
import type { Feeds, Results } from '../session/session.js';
import type { DType, TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { ValueMetadata } from '../session/value-metadata.js';
import { inferThroughCache } from './cached-infer.js';
import { type BatchPostprocess, DynamicBatcher } from './dynamic-batcher.js';
import { type CheckedInferOptions, checkInferOptions, type InferOptions } from './infer-options.js';
import { kResetStats } from './internal.js';

export type { InferOptions } from './infer-options.js';
import { InstanceGroup } from './instance-group.js';
import { type ModelOptions, type ResolvedModelOptions, resolveModelOptions } from './model-options.js';
import { ModelStats, type ModelStatsSnapshot } from './model-stats.js';
import { type PendingRequest, RequestState } from './pending-request.js';

/** A request checked and ready to queue. */
interface PreparedRequest {
  bound: BoundFeeds;
  rows: number;
  signature: string;
  priority: number;
  timeoutMicros: number;
  signal: AbortSignal | undefined;
}

/** True when every input and output has a free first dimension that batches can grow along. */
function hasBatchDimension(values: readonly ValueMetadata[]): boolean {
  return values.every((value) => value.shape.length > 0 && typeof value.shape[0] !== 'number');
}

/**
 * A model served in-process: requests from many callers are queued, merged into batches along
 * dim 0 and spread over instances (sessions) of the model, Triton-style.
 *
 * @example
 * const model = await Model.load({ name: 'mlp', path: 'mlp.onnx', batching: { maxBatchSize: 64 } });
 * const { y } = await model.infer({ x: new Tensor('float32', row, [1, 256]) });
 * await model.unload();
 */
export class Model {
  readonly name: string;
  readonly version: string;
  readonly inputs: readonly ValueMetadata[];
  readonly outputs: readonly ValueMetadata[];
  /** Whether requests are merged into batches (batching given and the model has a batch dim). */
  readonly batching: boolean;
  readonly #options: ResolvedModelOptions;
  readonly #instances: InstanceGroup;
  readonly #batcher: DynamicBatcher;
  readonly #stats = new ModelStats();
  readonly #autoscaleTimer: NodeJS.Timeout | undefined;
  readonly #hasBatchDimension: boolean;
  /** Where handler modules run: the pool given in options, else the shared one (on first use). */
  readonly #workers: () => WorkerPool;
  /** What handler modules receive as their second argument. */
  readonly #handlerContext: { model: string; version: string };
  /** The result cache (options.cache), keyed by this model's name and version. */
  readonly #cache: ResultCache | undefined;
  #unloading: Promise<void> | undefined;
  /** Accepted requests still in their preprocess handler: unload waits for them to be served. */
  readonly #preprocessing = new Set<Promise<unknown>>();

  /** `hasBatchDim`: every input and output has a free first dimension (checked once by load). */
  private constructor(options: ResolvedModelOptions, instances: InstanceGroup, hasBatchDim: boolean) {
    const batching = options.batching && hasBatchDim;
    this.name = options.name;
    this.version = options.version;
    this.#options = { ...options, batching };
    this.batching = batching;
    this.#instances = instances;
    this.inputs = instances.first.session.inputs;
    this.outputs = instances.first.session.outputs;
    this.#hasBatchDimension = hasBatchDim;
    const given = options.handlers.workers;
    this.#workers = given !== undefined ? () => given : sharedWorkerPool;
    this.#handlerContext = { model: options.name, version: options.version };
    const cache = options.cache;
    this.#cache = cache === false
      ? undefined
      : new ResultCache({ maxBytes: cache.maxBytes, ...(cache.ttlMs === Infinity ? {} : { ttlMs: cache.ttlMs }) }, { model: options.name, version: options.version });
    const postprocessUrl = options.handlers.postprocess;
    const postprocess: BatchPostprocess | undefined = postprocessUrl === undefined
      ? undefined
      : (outputs) => this.#workers().postprocess(postprocessUrl, outputs, this.#handlerContext);
    this.#batcher = new DynamicBatcher(options.name, this.#options, instances, this.#stats, postprocess);
    if (options.instances.min !== options.instances.max) {
      // Scale-down needs a clock even when no request arrives; unref'd: it never keeps a process up.
      const period = Math.max(5, Math.min(options.instances.scaleUpAfterMs, options.instances.scaleDownIdleMs) / 2);
      this.#autoscaleTimer = setInterval(() => this.#instances.autoscale(this.#batcher.queue.rows, performance.now()), period);
      this.#autoscaleTimer.unref();
    }
  }

  /**
   * Loads a model: starts its instances (sessions) and its batcher.
   *
   * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION, ERR_INFERLINE_UNSUPPORTED for
   * bad options; any error of Session.create (ERR_INFERLINE_MODEL_NOT_FOUND, ERR_INFERLINE_ORT, ...).
   */
  static async load(options: ModelOptions): Promise<Model> {
    const resolved = resolveModelOptions(options);
    for (const kind of ['preprocess', 'postprocess'] as const) {
      const url = resolved.handlers[kind];
      // Checked here so that a typo fails the load, not every request (an import error, a
      // missing export, still shows at the first request: it needs a worker to find out).
      if (url !== undefined && !existsSync(fileURLToPath(url))) {
        throw errors.invalidArg(`Model "${resolved.name}": ${kind} module ${fileURLToPath(url)} does not exist`);
      }
    }
    let created: Model | undefined;
    const onInstanceAdded = (): void => {
      if (created !== undefined) created.#batcher.pump();
    };
    const group = new InstanceGroup(resolved.source, { name: resolved.name, ...resolved.session }, resolved.instances, onInstanceAdded);
    await group.start();
    const session = group.first.session;
    const batchable = hasBatchDimension(session.inputs) && hasBatchDimension(session.outputs);
    if (resolved.batching && !batchable) {
      process.emitWarning(
        `Model "${resolved.name}": batching needs a free first dimension on every input and output; running requests one by one`,
        { code: 'INFERLINE_NO_BATCH_DIMENSION' },
      );
    }
    created = new Model(resolved, group, batchable);
    return created;
  }

  /**
   * Runs the model on `feeds` as part of whatever batch forms; resolves with this request's own
   * outputs (views of the batch outputs, no copy). With a preprocess module, `input` is whatever
   * that module takes, and it makes the feeds in a worker; with a postprocess module, infer
   * resolves with what that module made of the outputs. With a cache, repeated requests are
   * answered from it (fresh copies).
   *
   * @throws (rejects) the feed errors of Session.run; ERR_INFERLINE_QUEUE_FULL when maxQueueSize
   * requests are waiting; ERR_INFERLINE_TIMEOUT when its queue timeout passes with action
   * 'reject'; ERR_INFERLINE_ABORTED when `signal` fires while it is queued;
   * ERR_INFERLINE_MODEL_UNLOADED after unload(); ERR_INFERLINE_ORT when its batch fails.
   */
  async infer<Result = Results>(input: Feeds | unknown, options?: InferOptions): Promise<Result> {
    let feeds = input;
    let checked: CheckedInferOptions;
    try {
      // Every option is checked before any work: a bad one must not cost a preprocess.
      checked = checkInferOptions(options, `Model "${this.name}" infer`, this.#options.queue, this.#options.handlers.preprocess !== undefined);
    } catch (error) {
      this.#stats.failure++;
      throw error;
    }
    const preprocess = this.#options.handlers.preprocess;
    if (preprocess !== undefined) {
      if (this.#unloading !== undefined) throw errors.modelUnloaded(`Model "${this.name}" is unloaded`);
      const preprocessed = this.#workers().preprocess(preprocess, input, this.#handlerContext, {
        ...(checked.signal === undefined ? {} : { signal: checked.signal }),
        ...(checked.transfer === undefined ? {} : { transfer: checked.transfer }),
      });
      // Accepted: an unload from now on waits for this request to be queued and served.
      this.#preprocessing.add(preprocessed);
      try {
        feeds = await preprocessed;
      } catch (error) {
        this.#stats.failure++;
        throw error;
      } finally {
        this.#preprocessing.delete(preprocessed);
      }
    }
    let queued: Promise<unknown>;
    try {
      queued = this.#infer(feeds, checked, preprocess !== undefined);
    } catch (error) {
      this.#stats.failure++;
      throw error;
    }
    try {
      return (await queued) as Result;
    } catch (error) {
      throw withCallerStack(error);
    }
  }

  /** `accepted`: the request was accepted before any unload (it comes from its preprocess). */
  #infer(feeds: unknown, options: CheckedInferOptions, accepted: boolean): Promise<unknown> {
    const prepared = this.#prepare(feeds, options, accepted);
    if (this.#cache === undefined) return this.#enqueue(prepared, undefined, undefined);
    return this.#inferCached(this.#cache, prepared);
  }

  /** Checks a request's feeds; what the queue needs to know about it. */
  #prepare(feeds: unknown, options: CheckedInferOptions, accepted: boolean): PreparedRequest {
    if (this.#unloading !== undefined && !accepted) throw errors.modelUnloaded(`Model "${this.name}" is unloaded`);
    const { priority, timeoutMicros, signal } = options;
    // Checked here, not with the other options: it may fire while a preprocess runs.
    if (signal?.aborted) throw errors.aborted(`Model "${this.name}" infer was aborted before it was queued`, signal.reason);
    const policy = this.#options.queue;
    const bound = this.#instances.first.session[kBindFeeds](feeds);
    // Rows are dim 0 where the model has a batch dimension (batched or not), else 1.
    const rows = this.#hasBatchDimension ? (bound.dims[0] as number[])[0]! : 1;
    let signature = '';
    if (this.batching) {
      if (rows > policy.maxBatchSize) {
        throw errors.outOfRange(`Model "${this.name}" infer: the request has ${rows} rows (dim 0), more than batching.maxBatchSize ${policy.maxBatchSize}`);
      }
      for (let i = 0; i < bound.dims.length; i++) {
        const dims = bound.dims[i] as number[];
        if (dims[0] !== rows) throw errors.shapeMismatch(`Model "${this.name}" infer: inputs disagree on dim 0 (${rows} and ${dims[0]}); a request's inputs must have the same number of rows`);
        for (let d = 1; d < dims.length; d++) signature += `${dims[d]},`;
        signature += ';';
      }
    }
    return { bound, rows, signature, priority, timeoutMicros, signal };
  }

  /**
   * Queues a prepared request; resolves with its outputs or its postprocess result.
   * `onOutputs` sees the outputs first (see PendingRequest); `onError` sees any failure first.
   */
  #enqueue(prepared: PreparedRequest, onOutputs: ((outputs: Results) => void) | undefined,
           onError: ((error: unknown) => void) | undefined): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const request: PendingRequest = {
        bound: prepared.bound, rows: prepared.rows, signature: prepared.signature, level: prepared.priority,
        enqueuedAt: performance.now(), immediate: this.#batcher.wouldRunAtOnce, state: RequestState.Queued, resolve,
        reject: onError === undefined ? reject : (error) => {
          onError(error);
          reject(error);
        },
        cleanup: undefined, onOutputs,
      };
      if (prepared.timeoutMicros !== Infinity || prepared.signal !== undefined) this.#watch(request, prepared.timeoutMicros, prepared.signal);
      this.#batcher.submit(request);
    });
  }

  /** A request through the result cache (see inferThroughCache). */
  #inferCached(cache: ResultCache, prepared: PreparedRequest): Promise<unknown> {
    const postprocess = this.#options.handlers.postprocess;
    return inferThroughCache(cache, this.#tensorsOf(prepared.bound), {
      label: this.name,
      signal: prepared.signal,
      stats: this.#stats,
      enqueue: (onOutputs, onError) => this.#enqueue(prepared, onOutputs, onError),
      postprocess: postprocess === undefined ? undefined : async (outputs) => {
        const [settled] = await this.#workers().postprocess(postprocess, [outputs], this.#handlerContext);
        if (settled!.status === 'rejected') throw settled!.reason;
        return settled!.value;
      },
    });
  }

  /** The bound feeds as Tensors by input name (checked already: no copy, no checks). */
  #tensorsOf(bound: BoundFeeds): Record<string, Tensor> {
    const tensors: Record<string, Tensor> = {};
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i]!;
      tensors[input.name] = Tensor.fromTrusted(input.dtype as DType, bound.datas[i] as TensorData, bound.dims[i] as number[]);
    }
    return tensors;
  }

  /** Arms the request's queue timeout and abort listener; both end when it leaves the queue. */
  #watch(request: PendingRequest, timeoutMicros: number, signal: AbortSignal | undefined): void {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    if (timeoutMicros !== Infinity) {
      timer = setTimeout(() => {
        timer = undefined;
        if (this.#options.queue.timeoutAction === 'delay') {
          this.#batcher.queue.demote(request);
          return;
        }
        this.#batcher.withdraw(request, errors.timeout(`Model "${this.name}" infer: waited ${timeoutMicros / 1000} ms in the queue without being served`));
      }, Math.max(1, Math.ceil(timeoutMicros / 1000)));
    }
    if (signal !== undefined) {
      onAbort = () => {
        if (this.#batcher.withdraw(request, errors.aborted(`Model "${this.name}" infer was aborted while queued`, signal.reason))) this.#batcher.pump();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
    request.cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
      request.cleanup = undefined;
    };
  }

  /**
   * The model's result cache when options.cache was given: its stats, and saveSnapshot(path) /
   * loadSnapshot(path) for warm restarts (refused for another model or version).
   */
  get cache(): ResultCache | undefined {
    return this.#cache;
  }

  /** @internal Zeroes stats() after `warmupRequests` warmup requests (the repository's): only traffic counts. */
  [kResetStats](warmupRequests: number): void {
    this.#stats.reset();
    this.#cache?.[kResetCacheCounts]();
    this.#stats.warmupRequests += warmupRequests;
  }

  /** Counts and timings since load; see ModelStatsSnapshot. */
  stats(): ModelStatsSnapshot {
    return this.#stats.snapshot({
      cache: this.#cache?.stats(),
      name: this.name,
      version: this.version,
      queueDepth: this.#batcher.queue.size,
      queuedRows: this.#batcher.queue.rows,
      instances: {
        count: this.#instances.count,
        loading: this.#instances.loading,
        busy: this.#instances.busy,
        scaleUps: this.#instances.scaleUps,
        scaleDowns: this.#instances.scaleDowns,
      },
    });
  }

  /**
   * Stops accepting requests, serves those already queued, then closes every instance.
   * Calling it again returns the same promise.
   */
  unload(): Promise<void> {
    this.#unloading ??= (async () => {
      if (this.#autoscaleTimer !== undefined) clearInterval(this.#autoscaleTimer);
      // Each finished preprocess queues its request (or fails it) before its promise settles here.
      while (this.#preprocessing.size > 0) await Promise.allSettled([...this.#preprocessing]);
      await this.#batcher.idle();
      this.#batcher.stop();
      this.#cache?.clear();
      await this.#instances.close();
    })();
    return this.#unloading;
  }
}
