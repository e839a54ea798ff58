import { Piscina } from 'piscina';
import { errors, withCallerStack } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { checkKnownOptions, describe, optionsObject } from '../validate.js';
import { packBatch } from './batch-views.js';
import { checkContext, checkSignal, checkTransfer } from './call-arguments.js';
import { HandlerModules, type HandlerModule } from './handler-module.js';
import { type ResolvedWorkerPoolOptions, resolveWorkerPoolOptions, type WorkerPoolOptions } from './pool-options.js';
import {
  type Failure,
  fromErrorRecord,
  type HandlerContext,
  type HandlerKind,
  type PostprocessResponse,
  type PostprocessTask,
  type PreprocessResponse,
  type PreprocessTask,
} from './protocol.js';
import { scanValue } from './transferables.js';
import { resolveWorkerEntry } from './worker-entry-path.js';

export interface PreprocessOptions {
  /** Drops the task while queued, or stops its worker while running; rejects ERR_INFERLINE_ABORTED. */
  signal?: AbortSignal;
  /** ArrayBuffers of `input` to move to the worker (detached here) instead of copying them. */
  transfer?: ArrayBuffer[];
}

export interface PostprocessOptions {
  signal?: AbortSignal;
  /**
   * Keep the outputs usable here: their buffers are copied once into shared memory (counted in
   * `copiedBytes`) instead of moved. Default false: they are moved and detached here.
   */
  keepOutputs?: boolean;
}

export interface WorkerPoolStats {
  /** Tasks finished, whether they succeeded or not: a preprocess call, or a postprocess batch. */
  tasks: number;
  /** Handler calls that failed: a preprocess, or one request of a batch (all of them if it failed whole). */
  failed: number;
  /** Workers that died (process.exit, an uncaught exception); Piscina replaces them. */
  crashes: number;
  /** Worker threads alive now. */
  workers: number;
  /** Tasks waiting for a free worker. */
  queued: number;
  /** Tasks started and not yet settled, queued ones included. */
  inFlight: number;
  /** Bytes of tensor data copied to cross threads (copies Node forced, or keepOutputs asked for). */
  copiedBytes: number;
}

const kPreprocessOptionNames = ['signal', 'transfer'] as const;
const kPostprocessOptionNames = ['signal', 'keepOutputs'] as const;

/**
 * Worker threads (Piscina) that run a model's preprocess and postprocess modules off the event
 * loop. Tensors cross by moving or sharing their memory: feeds a handler makes come back moved;
 * the outputs of a batch go to one task as a few moved or shared buffers plus views.
 *
 * A handler module exports (as default, or as `preprocess`/`postprocess`) a function
 * `(input, context) => value | Promise<value>`. Buffers in what it returns are moved out of the
 * worker, so it must not return arrays it keeps using.
 *
 * @example
 * const pool = new WorkerPool({ name: 'ocr' });
 * const feeds = await pool.preprocess('/srv/ocr/pre.mjs', png, { model: 'ocr', version: '1' });
 * const [text] = await pool.postprocess('/srv/ocr/post.mjs', [outputs], { model: 'ocr', version: '1' });
 * await pool.close();
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad options.
 */
export class WorkerPool {
  /** Names the pool in messages. */
  readonly name: string;
  /** Most worker threads at once. */
  readonly size: number;
  readonly #piscina: Piscina;
  readonly #modules = new HandlerModules();
  /** Every task's settling promise, so that close() can wait for queued and running ones. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  #tasks = 0;
  #failed = 0;
  #crashes = 0;
  #copiedBytes = 0;

  constructor(options?: WorkerPoolOptions) {
    const resolved: ResolvedWorkerPoolOptions = resolveWorkerPoolOptions(options);
    const entry = resolveWorkerEntry();
    this.name = resolved.name;
    this.size = resolved.size;
    this.#piscina = new Piscina({
      filename: entry.filename,
      // The export a worker loads at start-up; each run names its own. Piscina's default,
      // "default", is absent from the entry: a worker would fall back to import() and fail on
      // the TypeScript entry under tsx (see worker-entry-path.ts).
      name: 'preprocess',
      execArgv: entry.execArgv,
      minThreads: 1,
      maxThreads: resolved.size,
      idleTimeout: resolved.idleTimeoutMs,
      // Workers wait for tasks on the event loop, not blocked in Atomics.wait: a handler's timers
      // and promises keep running between tasks, so one that fails late fails while idle (and is
      // replaced) rather than in the middle of someone else's next task.
      atomics: 'disabled',
      recordTiming: false,
    });
    // Piscina emits 'error' when a worker dies with no task to fail (a handler's late throw) or
    // close times out; unheard, an 'error' event would throw in the main thread. The worker is
    // replaced already: count it and warn, nothing else to do.
    this.#piscina.on('error', (error: Error) => {
      this.#crashes++;
      process.emitWarning(`WorkerPool "${this.name}": a worker thread died while idle: ${error?.message}`, { code: 'INFERLINE_WORKER_CRASHED' });
    });
  }

  /**
   * Runs the preprocess handler of `modulePath` on `input` in a worker and resolves with the feeds
   * it made, as Tensors over the memory the worker moved here (no copy). `input` is copied to
   * the worker by structured clone, except SharedArrayBuffers (shared) and buffers in `transfer`
   * (moved, detached here).
   *
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad arguments;
   * ERR_INFERLINE_HANDLER_LOAD when the module cannot be imported or exports no function;
   * ERR_INFERLINE_HANDLER_FAILED when the handler throws; ERR_INFERLINE_HANDLER_RESULT when it
   * returns something that is not feeds; ERR_INFERLINE_WORKER_CRASHED when its worker dies;
   * ERR_INFERLINE_ABORTED when `signal` fires; ERR_INFERLINE_POOL_CLOSED after close().
   */
  async preprocess(modulePath: string | URL, input: unknown, context: HandlerContext, options?: PreprocessOptions): Promise<Record<string, Tensor>> {
    const what = `WorkerPool "${this.name}" preprocess`;
    this.#requireOpen('preprocess');
    const module = this.#modules.resolve(modulePath, what);
    const checkedContext = checkContext(context, what);
    const checked = optionsObject(options, what);
    checkKnownOptions(checked, kPreprocessOptionNames, what);
    const signal = checkSignal(checked.signal, what);
    const transferList = checkTransfer(checked.transfer, what);
    if (signal?.aborted) throw errors.aborted(`${what} was aborted before it started`, signal.reason);
    const unclonable = scanValue(input).unclonable;
    if (unclonable !== undefined) throw errors.invalidArg(`${what}: the input cannot be sent to a worker thread: ${unclonable}`);
    const task: PreprocessTask = { module: module.url, input, context: checkedContext };
    const response = await this.#run<PreprocessResponse>('preprocess', module, task, transferList, signal, 1);
    if (!response.ok) {
      this.#failed++;
      throw withCallerStack(this.#handlerError(response, 'preprocess', module));
    }
    const feeds: Record<string, Tensor> = {};
    // The worker checked each feed against its dtype and shape (feeds-check.ts): wrap, no copy.
    for (const [key, feed] of Object.entries(response.feeds)) feeds[key] = Tensor.fromTrusted(feed.dtype, feed.data as never, feed.shape);
    return feeds;
  }

  /**
   * Runs the postprocess handler of `modulePath` once per request of a batch, all in one worker
   * task, and resolves with one settled result per request, in order: a handler that throws for
   * one request fails only that one. The batch's buffers are moved to the worker (detached here)
   * unless shared or `keepOutputs`; views of one buffer (a batch's outputs) send it once.
   *
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION,
   * ERR_INFERLINE_INVALID_TENSOR, ERR_INFERLINE_DTYPE_MISMATCH, ERR_INFERLINE_DETACHED_BUFFER for bad
   * arguments; for the whole batch: ERR_INFERLINE_HANDLER_LOAD, ERR_INFERLINE_WORKER_CRASHED,
   * ERR_INFERLINE_ABORTED, ERR_INFERLINE_POOL_CLOSED. Per request (a `rejected` result):
   * ERR_INFERLINE_HANDLER_FAILED, ERR_INFERLINE_HANDLER_RESULT.
   */
  async postprocess(modulePath: string | URL, outputsPerRequest: ReadonlyArray<Record<string, Tensor>>, context: HandlerContext,
                    options?: PostprocessOptions): Promise<Array<PromiseSettledResult<unknown>>> {
    const what = `WorkerPool "${this.name}" postprocess`;
    this.#requireOpen('postprocess');
    const module = this.#modules.resolve(modulePath, what);
    const checkedContext = checkContext(context, what);
    const checked = optionsObject(options, what);
    checkKnownOptions(checked, kPostprocessOptionNames, what);
    const signal = checkSignal(checked.signal, what);
    if (checked.keepOutputs !== undefined && typeof checked.keepOutputs !== 'boolean') {
      throw errors.invalidArg(`${what}: keepOutputs must be a boolean, received ${describe(checked.keepOutputs)}`);
    }
    if (signal?.aborted) throw errors.aborted(`${what} was aborted before it started`, signal.reason);
    const packed = packBatch(outputsPerRequest, what, checked.keepOutputs === true);
    const count = packed.requests.length;
    if (count === 0) return [];
    this.#copiedBytes += packed.copiedBytes;
    const task: PostprocessTask = { module: module.url, buffers: packed.buffers, requests: packed.requests, context: checkedContext };
    let response: PostprocessResponse;
    let posted = false;
    try {
      response = await this.#run<PostprocessResponse>('postprocess', module, task, packed.transferList, signal, count);
      posted = true;
    } catch (error) {
      posted = (error as { code?: unknown }).code === 'ERR_INFERLINE_WORKER_CRASHED';
      throw error;
    } finally {
      // A buffer that was posted in a transfer list and is not detached was copied by Node: on
      // Node 20, the external buffers our addon returns for outputs over 1 KiB (Node marks them
      // untransferable but cannot say so before Node 21). One copy per buffer per batch; counted.
      // Tasks that never reached a worker (aborted in the queue) copied nothing.
      if (posted) {
        for (const buffer of packed.transferList) this.#copiedBytes += buffer.byteLength;
      }
    }
    if (!response.ok) {
      this.#failed += count;
      throw withCallerStack(this.#handlerError(response, 'postprocess', module));
    }
    return response.outcomes.map((outcome, index): PromiseSettledResult<unknown> => {
      if (outcome.ok) return { status: 'fulfilled', value: outcome.value };
      this.#failed++;
      return { status: 'rejected', reason: this.#handlerError(outcome, 'postprocess', module, index) };
    });
  }

  /** Counters and gauges of the pool. */
  stats(): WorkerPoolStats {
    return {
      tasks: this.#tasks,
      failed: this.#failed,
      crashes: this.#crashes,
      workers: this.#piscina.threads.length,
      queued: this.#piscina.queueSize,
      inFlight: this.#inFlight.size,
      copiedBytes: this.#copiedBytes,
    };
  }

  /**
   * Refuses new tasks at once, waits for the tasks queued and running, then stops the workers.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled(this.#inFlight);
      await this.#piscina.close();
    })();
    return this.#closing;
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  async #run<T>(kind: HandlerKind, module: HandlerModule, task: object, transferList: ArrayBuffer[], signal: AbortSignal | undefined, requests: number): Promise<T> {
    const running = this.#piscina.run(task, { name: kind, transferList, signal }) as Promise<T>;
    this.#inFlight.add(running);
    try {
      return await running;
    } catch (error) {
      this.#failed += requests;
      throw withCallerStack(this.#taskError(error, kind, module, signal));
    } finally {
      this.#inFlight.delete(running);
      this.#tasks++;
    }
  }

  /** The error for a task Piscina rejected: our worker answers handler failures, so this is not one. */
  #taskError(error: unknown, kind: HandlerKind, module: HandlerModule, signal: AbortSignal | undefined): Error {
    const name = (error as Error | undefined)?.name;
    const message = (error as Error | undefined)?.message ?? String(error);
    const what = `WorkerPool "${this.name}": ${kind} module "${module.label}"`;
    if (name === 'AbortError' && signal?.aborted === true) return errors.aborted(`${what} was aborted`, signal.reason);
    if (name === 'DataCloneError') return errors.invalidArg(`${what}: the task cannot be sent to a worker thread: ${message}`);
    this.#crashes++;
    return errors.workerCrashed(`${what}: the worker thread running it died (${message}); the pool replaces the worker`, error);
  }

  #handlerError(failure: Failure, kind: HandlerKind, module: HandlerModule, request?: number): Error {
    const what = `WorkerPool "${this.name}": ${kind} module "${module.label}"`;
    const which = request === undefined ? '' : ` for request ${request}`;
    const cause = failure.cause === undefined ? undefined : fromErrorRecord(failure.cause);
    switch (failure.reason) {
      case 'load':
        return errors.handlerLoad(`${what} ${failure.detail}`, cause);
      case 'threw':
        return errors.handlerFailed(`${what} threw${which}: ${failure.detail}`, cause);
      case 'result':
        return errors.handlerResult(`${what} returned ${failure.key === undefined ? 'an unusable value' : `an invalid feed "${failure.key}"`}${which}: ${failure.detail}`, cause);
    }
  }

  #requireOpen(kind: HandlerKind): void {
    if (this.#closing !== undefined) throw errors.poolClosed(`WorkerPool "${this.name}" is closed: ${kind} refused`);
  }
}
