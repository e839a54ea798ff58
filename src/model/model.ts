import { errors, withCallerStack } from '../errors.js';
import { kBindFeeds } from '../session/internal.js';
import type { Feeds, Results } from '../session/session.js';
import type { ValueMetadata } from '../session/value-metadata.js';
import { checkKnownOptions, describe, isInteger, isPlainObject } from '../validate.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import { InstanceGroup } from './instance-group.js';
import { type ModelOptions, type ResolvedModelOptions, resolveModelOptions } from './model-options.js';
import { ModelStats, type ModelStatsSnapshot } from './model-stats.js';
import { type PendingRequest, RequestState } from './pending-request.js';

export interface InferOptions {
  /** Queue priority: 0 is served first; default batching.defaultPriority. */
  priority?: number;
  /** Time in queue after which the model's timeoutAction applies; overrides defaultTimeoutMicros. */
  timeoutMs?: number;
  /** Withdraws the request while it is queued (a batch already running is never cut short). */
  signal?: AbortSignal;
}

const kInferOptionNames = ['priority', 'timeoutMs', 'signal'] as const;

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
  #unloading: Promise<void> | undefined;

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
    this.#batcher = new DynamicBatcher(options.name, this.#options, instances, this.#stats);
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
   * outputs (views of the batch outputs, no copy).
   *
   * @throws (rejects) the feed errors of Session.run; ERR_INFERLINE_QUEUE_FULL when maxQueueSize
   * requests are waiting; ERR_INFERLINE_TIMEOUT when its queue timeout passes with action
   * 'reject'; ERR_INFERLINE_ABORTED when `signal` fires while it is queued;
   * ERR_INFERLINE_MODEL_UNLOADED after unload(); ERR_INFERLINE_ORT when its batch fails.
   */
  async infer(feeds: Feeds, options?: InferOptions): Promise<Results> {
    let queued: Promise<Results>;
    try {
      queued = this.#infer(feeds, options);
    } catch (error) {
      this.#stats.failure++;
      throw error;
    }
    try {
      return await queued;
    } catch (error) {
      throw withCallerStack(error);
    }
  }

  #infer(feeds: Feeds, options: InferOptions | undefined): Promise<Results> {
    if (this.#unloading !== undefined) throw errors.modelUnloaded(`Model "${this.name}" is unloaded`);
    const policy = this.#options.queue;
    let priority = policy.defaultPriority;
    let timeoutMicros = policy.defaultTimeoutMicros;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      if (!isPlainObject(options)) throw errors.invalidArg(`Model "${this.name}" infer: options must be an object, received ${describe(options)}`);
      checkKnownOptions(options, kInferOptionNames, `Model "${this.name}" infer`);
      if (options.priority !== undefined) {
        if (!isInteger(options.priority, 0, policy.priorityLevels - 1)) {
          throw errors.outOfRange(`Model "${this.name}" infer: priority must be an integer from 0 to ${policy.priorityLevels - 1} (batching.priorityLevels), received ${describe(options.priority)}`);
        }
        priority = options.priority;
      }
      if (options.timeoutMs !== undefined) {
        if (typeof options.timeoutMs !== 'number' || !(options.timeoutMs > 0)) {
          throw errors.outOfRange(`Model "${this.name}" infer: timeoutMs must be a positive number, received ${describe(options.timeoutMs)}`);
        }
        timeoutMicros = options.timeoutMs * 1000;
      }
      if (options.signal !== undefined) {
        if (!(options.signal instanceof AbortSignal)) throw errors.invalidArg(`Model "${this.name}" infer: signal must be an AbortSignal, received ${describe(options.signal)}`);
        signal = options.signal;
        if (signal.aborted) throw errors.aborted(`Model "${this.name}" infer was aborted before it was queued`, signal.reason);
      }
    }
    const bound = this.#instances.first.session[kBindFeeds](feeds);
    // Rows are dim 0 where the model has a batch dimension (batched or not), else 1.
    let rows = this.#hasBatchDimension ? (bound.dims[0] as number[])[0]! : 1;
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
    return new Promise<Results>((resolve, reject) => {
      const request: PendingRequest = {
        bound, rows, signature, level: priority, enqueuedAt: performance.now(), immediate: this.#batcher.wouldRunAtOnce,
        state: RequestState.Queued, resolve, reject, cleanup: undefined,
      };
      if (timeoutMicros !== Infinity || signal !== undefined) this.#watch(request, timeoutMicros, signal);
      this.#batcher.submit(request);
    });
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

  /** Counts and timings since load; see ModelStatsSnapshot. */
  stats(): ModelStatsSnapshot {
    return this.#stats.snapshot({
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
      await this.#batcher.idle();
      this.#batcher.stop();
      await this.#instances.close();
    })();
    return this.#unloading;
  }
}
