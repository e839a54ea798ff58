import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { errors, InferlineError, withCallerStack } from '../errors.js';
import { ensureRuntime, type NativeSession } from '../native.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { describe, optionsObject, checkKnownOptions } from '../validate.js';
import { splitPreallocated } from './batch-split.js';
import { type BoundFeeds, FeedBinder } from './feed-binder.js';
import { kBindFeeds, kRunBatch, kRunBound } from './internal.js';
import { OutputSelector } from './output-selector.js';
import { SyncStaging } from './sync-staging.js';
import { dropUnavailableProviders } from './provider-fallback.js';
import { runtimeInfo } from './runtime-info.js';
import { normalizeSessionOptions, type SessionOptions } from './session-options.js';
import { toValueMetadata, type ValueMetadata } from './value-metadata.js';

/** run()'s staging buffers kept for reuse (the addon keeps as many runners: SyncRunnerPool). */
const kMaxIdleRunStagings = 64;

/** The staged path's datas argument: one input's typed array goes alone (native/session/sync_runner.h). */
function stagedDatas(bound: unknown[]): unknown[] | ArrayBufferView {
  return bound.length === 1 && ArrayBuffer.isView(bound[0]) ? bound[0] : bound;
}

/** A rejection handler: the addon's errors come back from a completion without JS frames. */
function rethrowWithCallerStack(error: unknown): never {
  throw withCallerStack(error);
}

export type Feeds = Record<string, TensorLike>;
export type Results = Record<string, Tensor>;

export interface RunOptions {
  /** Output names to fetch, or { name: Tensor } to have ONNX Runtime write into those tensors. */
  outputs?: string[] | Record<string, Tensor>;
  /** Aborts the run: a queued run is dropped, a running one terminated; rejects ERR_INFERLINE_ABORTED. */
  signal?: AbortSignal;
}

const kRunOptionNames = ['outputs', 'signal'] as const;

/**
 * An ONNX Runtime inference session whose runs never block the event loop: `run` executes on
 * inferline's own threads and resolves on the JS thread; inputs are read in place, outputs are
 * handed over without a copy.
 *
 * @example
 * const session = await Session.create('model.onnx', { intraOpThreads: 1 });
 * const { y } = await session.run({ x: new Tensor('float32', new Float32Array(16), [1, 16]) });
 * await session.close();
 */
export class Session {
  /** The model's inputs: name, dtype and shape (symbolic dims as strings, unnamed free dims null). */
  readonly inputs: readonly ValueMetadata[];
  /** The model's outputs, as `inputs`. */
  readonly outputs: readonly ValueMetadata[];
  readonly #native: NativeSession;
  readonly #label: string;
  readonly #feeds: FeedBinder;
  readonly #outputs: OutputSelector;
  readonly #staging: SyncStaging;
  #syncRunning = false;
  /** Staging buffers for run(), one per run in flight, reused most recent first. */
  readonly #runStagings: SyncStaging[] = [];
  #closed = false;

  private constructor(native: NativeSession, label: string) {
    this.#native = native;
    this.#label = label;
    const metadata = native.metadata();
    this.inputs = Object.freeze(metadata.inputs.map(toValueMetadata));
    this.outputs = Object.freeze(metadata.outputs.map(toValueMetadata));
    this.#feeds = new FeedBinder(label, this.inputs);
    this.#outputs = new OutputSelector(label, this.outputs);
    this.#staging = new SyncStaging(this.inputs, this.outputs);
  }

  /**
   * Loads a model from a file path or from its bytes. Loading runs off the JS thread.
   *
   * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad arguments;
   * ERR_INFERLINE_MODEL_NOT_FOUND for a missing file; ERR_INFERLINE_ORT when ONNX Runtime rejects
   * the model; ERR_INFERLINE_PROVIDER_UNAVAILABLE for a provider this machine lacks;
   * ERR_INFERLINE_RUNTIME_LOAD when ONNX Runtime itself cannot be loaded.
   */
  static async create(pathOrBytes: string | Uint8Array | ArrayBuffer, options?: SessionOptions): Promise<Session> {
    let source: string | Uint8Array;
    let defaultLabel: string;
    if (typeof pathOrBytes === 'string') {
      if (pathOrBytes.length === 0) throw errors.invalidArg('Session.create: the model path is empty');
      source = pathOrBytes;
      defaultLabel = basename(pathOrBytes);
    } else if (pathOrBytes instanceof Uint8Array || pathOrBytes instanceof ArrayBuffer) {
      source = pathOrBytes instanceof ArrayBuffer ? new Uint8Array(pathOrBytes) : pathOrBytes;
      if (source.byteLength === 0) throw errors.invalidArg('Session.create: the model bytes are empty (or their buffer is detached)');
      defaultLabel = `model bytes (${source.byteLength} B)`;
    } else {
      throw errors.invalidArg(`Session.create: expected a model path or a Uint8Array of model bytes, received ${describe(pathOrBytes)}`);
    }
    const { native: nativeOptions, label } = normalizeSessionOptions(options, defaultLabel);
    if (typeof source === 'string') {
      const found = await stat(source).catch((cause: unknown) => cause as Error);
      if (found instanceof Error || !found.isFile()) {
        throw errors.modelNotFound(`Session.create: no model file at "${source}"`, found instanceof Error ? found : undefined);
      }
    }
    const addon = ensureRuntime();
    if (nativeOptions.providers?.some((provider) => provider.name !== 'cpu')) {
      nativeOptions.providers = dropUnavailableProviders(nativeOptions.providers, runtimeInfo().providers, label);
    }
    try {
      const native = await addon.createSession(source, nativeOptions, label);
      return new Session(native, label);
    } catch (error) {
      throw withCallerStack(error);
    }
  }

  /**
   * Runs the model on inferline's threads; the event loop stays free meanwhile. Many runs may be
   * in flight on one session at once.
   *
   * @throws (rejects) ERR_INFERLINE_MISSING_INPUT, ERR_INFERLINE_UNKNOWN_INPUT,
   * ERR_INFERLINE_DTYPE_MISMATCH, ERR_INFERLINE_SHAPE_MISMATCH, ERR_INFERLINE_INVALID_TENSOR,
   * ERR_INFERLINE_DETACHED_BUFFER, ERR_INFERLINE_UNKNOWN_OUTPUT, ERR_INFERLINE_INVALID_ARG for bad
   * feeds; ERR_INFERLINE_SESSION_CLOSED after close(); ERR_INFERLINE_ABORTED when `signal` fires;
   * ERR_INFERLINE_ORT when ONNX Runtime fails.
   */
  run(feeds: Feeds, options?: RunOptions): Promise<Results> {
    // Not an async function: awaiting the addon's promise here would add a promise and a
    // microtask hop to every call (measured: 2.5 µs of a ~10 µs round trip on a tiny model). The
    // addon's promise is passed on instead, its handlers building the results or adding the
    // caller's stack to a rejection.
    try {
      this.#requireOpen();
      if (options === undefined) return this.#runStaged((staging) => this.#feeds.bindToList(feeds, staging.list), undefined, undefined);
      const checked = optionsObject(options, `Session "${this.#label}" run`);
      checkKnownOptions(checked, kRunOptionNames, `Session "${this.#label}" run`);
      const { indices, preallocated } = this.#outputs.select(checked.outputs);
      const signal = checkSignal(checked.signal, this.#label);
      if (signal === undefined) return this.#runStaged((staging) => this.#feeds.bindToList(feeds, staging.list), indices, preallocated);
      const { datas, dims } = this.#feeds.bind(feeds);
      return this.#runCancellable(datas, dims, indices, preallocated, signal).then(undefined, rethrowWithCallerStack);
    } catch (error) {
      // Thrown on this call's own stack (argument checks, the addon's synchronous checks).
      return Promise.reject(error);
    }
  }

  /**
   * A run without a signal, the way runSync runs (see native/session/staged_run_plan.h): dims in
   * and outputs out through a staging buffer lent to this run alone. `bind` writes the feeds'
   * dims to the staging buffer's list and returns their data.
   */
  #runStaged(bind: (staging: SyncStaging) => unknown[], indices: number[] | undefined,
             preallocated: Array<Tensor | undefined> | undefined): Promise<Results> {
    const staging = this.#runStagings.pop() ?? new SyncStaging(this.inputs, this.outputs);
    let run: Promise<unknown[] | undefined>;
    try {
      run = this.#native.runStaged(stagedDatas(bind(staging)), staging.buffer, indices, preallocated);
    } catch (error) {
      this.#returnStaging(staging);
      throw error;
    }
    return run.then(
      (returned) => {
        try {
          return staging.take(returned, indices, preallocated);
        } finally {
          this.#returnStaging(staging);
        }
      },
      (error: unknown) => {
        this.#returnStaging(staging);
        throw withCallerStack(error);
      },
    );
  }

  #returnStaging(staging: SyncStaging): void {
    // Past a burst of concurrent runs, the extra buffers are left to the collector.
    if (this.#runStagings.length < kMaxIdleRunStagings) this.#runStagings.push(staging);
  }

  async #runCancellable(datas: unknown[], dims: unknown[], indices: number[] | undefined,
                        preallocated: Array<Tensor | undefined> | undefined, signal: AbortSignal): Promise<Results> {
    if (signal.aborted) throw errors.aborted(`Session "${this.#label}" run was aborted before it started`, signal.reason);
    const [promise, runId] = this.#native.run(datas, dims, indices, preallocated, true);
    const onAbort = (): void => this.#native.cancel(runId);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await promise;
    } catch (error) {
      if (error instanceof InferlineError && error.code === 'ERR_INFERLINE_ABORTED' && error.cause === undefined) {
        Object.defineProperty(error, 'cause', { value: signal.reason, configurable: true, writable: true });
      }
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Runs the model on the calling thread and returns its outputs. Blocks that thread: meant for
   * worker threads, where blocking is the point.
   *
   * @throws the same codes as run(), synchronously (ERR_INFERLINE_ABORTED excepted).
   */
  runSync(feeds: Feeds, options?: Omit<RunOptions, 'signal'>): Results {
    this.#requireOpen();
    // A getter in the feeds could call runSync again before this call is done with its staging
    // buffer: such a nested call gets a buffer of its own.
    if (this.#syncRunning) return this.#runSyncWith(new SyncStaging(this.inputs, this.outputs), feeds, options);
    this.#syncRunning = true;
    try {
      return this.#runSyncWith(this.#staging, feeds, options);
    } finally {
      this.#syncRunning = false;
    }
  }

  #runSyncWith(staging: SyncStaging, feeds: Feeds, options: Omit<RunOptions, 'signal'> | undefined): Results {
    const datas = stagedDatas(this.#feeds.bindToList(feeds, staging.list));
    if (options === undefined) return staging.take(this.#native.runSync(datas, staging.buffer), undefined, undefined);
    const checked = optionsObject(options, `Session "${this.#label}" runSync`);
    checkKnownOptions(checked, ['outputs'], `Session "${this.#label}" runSync`);
    const { indices, preallocated } = this.#outputs.select(checked.outputs);
    return staging.take(this.#native.runSync(datas, staging.buffer, indices, preallocated), indices, preallocated);
  }

  /** @internal Checks feeds as run() does and returns the addon's arguments for them. */
  [kBindFeeds](feeds: unknown): BoundFeeds {
    return this.#feeds.bind(feeds);
  }

  /** @internal Runs feeds bound by [kBindFeeds]; rejects like run(). */
  [kRunBound](bound: BoundFeeds): Promise<Results> {
    if (this.#closed) return Promise.reject(errors.sessionClosed(`Session "${this.#label}" is closed`));
    try {
      return this.#runStaged((staging) => {
        staging.putDims(bound.dims as number[][]);
        return bound.datas;
      }, undefined, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * @internal Runs several bound requests as one batch (concatenated along dim 0 by the addon)
   * and resolves with each request's outputs, in order. The arrays must not change afterwards.
   */
  [kRunBatch](requests: readonly BoundFeeds[], preallocated?: ReadonlyArray<Tensor | undefined>): Promise<Results[]> {
    if (this.#closed) return Promise.reject(errors.sessionClosed(`Session "${this.#label}" is closed`));
    let run: Promise<Results[]>;
    try {
      run = this.#native.runBatch(requests.map((r) => r.datas), requests.map((r) => r.dims), preallocated as unknown[] | undefined);
    } catch (error) {
      return Promise.reject(error);
    }
    if (preallocated === undefined) return run;
    return run.then((results) => splitPreallocated(results, requests, preallocated, this.outputs));
  }

  /** Ends profiling (option `profile`) and returns the path of the JSON trace ONNX Runtime wrote. */
  endProfiling(): string {
    this.#requireOpen();
    return this.#native.endProfiling();
  }

  /**
   * Stops accepting runs at once and resolves when the runs in flight have finished; the model's
   * memory is released then. Calling it again is harmless.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#native.close();
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #requireOpen(): void {
    if (this.#closed) throw errors.sessionClosed(`Session "${this.#label}" is closed`);
  }
}

function checkSignal(signal: unknown, label: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (signal instanceof AbortSignal) return signal;
  throw errors.invalidArg(`Session "${label}" run: signal must be an AbortSignal, received ${describe(signal)}`);
}
