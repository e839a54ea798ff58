/**
 * The dynamic batcher (Triton's semantics): requests queue by priority; whenever an instance is
 * idle, the head request's signature group is taken as one batch of at most maxBatchSize rows.
 * A batch that could still grow waits up to maxQueueDelayMicros for more requests, unless it
 * reached a preferred size or its head found the queue empty and an instance idle (light load
 * pays no delay). Each request settles with its own outputs, whatever order batches finish in.
 */
import { copyError, errors } from '../errors.js';
import { kRunBatch, kRunBound } from '../session/internal.js';
import type { Results } from '../session/session.js';
import type { InstanceGroup, ModelInstance } from './instance-group.js';
import type { ResolvedModelOptions } from './model-options.js';
import type { ModelStats } from './model-stats.js';
import { type PendingRequest, RequestState } from './pending-request.js';
import { RequestQueue } from './request-queue.js';
import { SharedOutputPlanner } from './shared-outputs.js';

/** Turns a batch's outputs into one settled result per request (a postprocess handler in workers). */
export type BatchPostprocess = (outputs: Results[]) => Promise<Array<PromiseSettledResult<unknown>>>;

export class DynamicBatcher {
  readonly queue: RequestQueue;
  readonly #policy: ResolvedModelOptions['queue'];
  readonly #batching: boolean;
  readonly #instances: InstanceGroup;
  readonly #stats: ModelStats;
  readonly #label: string;
  #delayTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #pumping = false;
  #inFlightBatches = 0;
  #releasesPending = 0; // finished batches whose instance is released after their callers ran
  #postprocessing = 0; // batches whose outputs are in the postprocess handler
  #idleWaiters: Array<() => void> = [];
  readonly #postprocess: BatchPostprocess | undefined;
  /** Shared output memory for batches bound for postprocess (batched models only). */
  readonly #sharedOutputs: SharedOutputPlanner | undefined;

  constructor(label: string, options: ResolvedModelOptions, instances: InstanceGroup, stats: ModelStats,
              postprocess?: BatchPostprocess) {
    this.#label = label;
    this.#postprocess = postprocess;
    this.#sharedOutputs = postprocess !== undefined && options.batching ? new SharedOutputPlanner(instances.first.session.outputs) : undefined;
    this.#policy = options.queue;
    this.#batching = options.batching;
    this.#instances = instances;
    this.#stats = stats;
    this.queue = new RequestQueue(options.queue.priorityLevels);
  }

  /** Queues a request (or rejects it at once when the queue is full) and serves what it can. */
  submit(request: PendingRequest): void {
    if (this.queue.size >= this.#policy.maxQueueSize) {
      this.#stats.failure++;
      request.reject(errors.queueFull(`Model "${this.#label}": queue full (${this.#policy.maxQueueSize} requests); retry later`));
      return;
    }
    // Fast path, light load: nobody queued, nothing being released, an instance idle.
    if (this.queue.size === 0 && this.#releasesPending === 0) {
      const instance = this.#instances.pickIdle();
      if (instance !== undefined) {
        request.state = RequestState.Dispatched;
        this.#dispatch(instance, [request]);
        return;
      }
    }
    this.queue.push(request);
    this.pump();
  }

  /** Removes a queued request and rejects it with `error`; false if it had already left the queue. */
  withdraw(request: PendingRequest, error: unknown): boolean {
    if (!this.queue.withdraw(request)) return false;
    request.cleanup?.();
    this.#stats.failure++;
    request.reject(error);
    return true;
  }

  /** True when a request arriving now would find an idle instance and nobody ahead of it. */
  get wouldRunAtOnce(): boolean {
    // A release pending means an instance is about to be free (see #finish): a caller that
    // resubmits from its continuation is the light-load case too, and must not wait the delay.
    return this.queue.size === 0 && (this.#releasesPending > 0 || this.#instances.idleCount() > 0);
  }

  /**
   * Forms and dispatches batches while instances are idle and requests are queued. Rows queued
   * are shared evenly among the idle instances (two instances each take 32 of 64 queued rows
   * rather than one taking all), and no batch leaves while a finished batch's callers
   * are still resubmitting (see #finish).
   */
  pump(): void {
    if (this.#pumping) return; // re-entered from a dispatch: the outer loop continues
    this.#pumping = true;
    try {
      while (this.queue.size > 0) {
        const idle = this.#instances.idleCount();
        if (idle === 0) break; // a finishing batch pumps again
        // While a finished batch's callers are resubmitting, wait for its release (this turn):
        // dispatching now would send their rows to whichever instance is idle, all in one batch,
        // instead of sharing them with the instance about to be free.
        if (this.#releasesPending > 0) break;
        const head = this.queue.head()!;
        const maxRows = this.#policy.maxBatchSize;
        let target = head.rows;
        if (this.#batching) {
          const available = this.queue.rowsFor(head.signature, maxRows * idle);
          target = Math.min(maxRows, Math.ceil(available / idle));
          if (available < maxRows) {
            const preferred = this.#largestPreferredUpTo(available);
            if (preferred !== undefined) {
              target = Math.min(target, preferred);
            } else if (!head.immediate && !this.#delayExpired(head)) {
              this.#waitForDelay(head);
              break;
            }
          }
        }
        const instance = this.#instances.pickIdle()!;
        const batch = this.#batching ? this.queue.take(head.signature, Math.max(target, head.rows)) : this.queue.take(head.signature, head.rows, 1);
        this.#dispatch(instance, batch);
      }
    } finally {
      this.#pumping = false;
    }
    this.#instances.autoscale(this.queue.rows, performance.now());
  }

  /** Resolves once no batch is running or postprocessing and the queue is empty (unload). */
  async idle(): Promise<void> {
    if (this.#isIdle()) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#inFlightBatches === 0 && this.#postprocessing === 0 && this.queue.size === 0;
  }

  #wakeIdleWaiters(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #largestPreferredUpTo(rows: number): number | undefined {
    const sizes = this.#policy.preferredBatchSizes;
    for (let i = sizes.length - 1; i >= 0; i--) if (sizes[i]! <= rows) return sizes[i];
    return undefined;
  }

  #delayExpired(head: PendingRequest): boolean {
    return (performance.now() - head.enqueuedAt) * 1000 >= this.#policy.maxQueueDelayMicros;
  }

  #waitForDelay(head: PendingRequest): void {
    if (this.#delayTimer !== undefined) return;
    const remainingMs = this.#policy.maxQueueDelayMicros / 1000 - (performance.now() - head.enqueuedAt);
    const fire = (): void => {
      this.#delayTimer = undefined;
      this.pump();
    };
    // Timers have millisecond resolution: below 1 ms, check again on the next turn of the loop.
    this.#delayTimer = remainingMs >= 1 ? setTimeout(fire, Math.floor(remainingMs)) : setImmediate(fire);
  }

  #dispatch(instance: ModelInstance, batch: PendingRequest[]): void {
    const started = performance.now();
    let rows = 0;
    for (const request of batch) {
      request.cleanup?.(); // dispatched: its timeout and abort no longer apply
      this.#stats.queue.record((started - request.enqueuedAt) * 1000);
      rows += request.rows;
    }
    instance.inFlight++;
    instance.outstandingRows += rows;
    this.#inFlightBatches++;
    const session = instance.session;
    const run: Promise<Results | Results[]> = this.#sharedOutputs !== undefined
      ? this.#runIntoSharedMemory(this.#sharedOutputs, session, batch, rows)
      : batch.length === 1 ? session[kRunBound](batch[0]!.bound) : session[kRunBatch](batch.map((request) => request.bound));
    run.then(
      (results) => {
        const finished = performance.now();
        this.#stats.recordBatch(rows);
        this.#stats.compute.record((finished - started) * 1000);
        // A batch run resolves with one result per request, even for one; a single run with one.
        const outputs = Array.isArray(results) ? results : [results];
        for (let i = 0; i < batch.length; i++) batch[i]!.onOutputs?.(outputs[i]!);
        if (this.#postprocess === undefined) {
          for (let i = 0; i < batch.length; i++) this.#succeed(batch[i]!, outputs[i], finished);
        } else {
          this.#postprocessBatch(batch, outputs, this.#postprocess);
        }
        this.#finish(instance, rows, finished, batch.length);
      },
      (error: unknown) => {
        const finished = performance.now();
        this.#stats.recordBatch(rows);
        this.#stats.failedExecutions++;
        this.#stats.failure += batch.length;
        // One error object per caller: each gets its own stack (see Model.infer).
        for (const request of batch) request.reject(batch.length === 1 ? error : copyError(error));
        this.#finish(instance, rows, finished, batch.length);
      },
    );
  }

  /**
   * Runs a batch bound for postprocess with its outputs in shared memory once their shapes are
   * known for this signature; the first batch of a signature teaches them. A batch that fails
   * with shared outputs runs again without them (its output shapes may depend on more than the
   * input dims), at the price of a second run when it fails for another reason.
   */
  #runIntoSharedMemory(planner: SharedOutputPlanner, session: ModelInstance['session'], batch: PendingRequest[], rows: number): Promise<Results[]> {
    const signature = batch[0]!.signature;
    const bound = batch.map((request) => request.bound);
    const preallocated = planner.plan(signature, rows);
    if (preallocated === undefined) {
      return session[kRunBatch](bound).then((results) => {
        planner.learn(signature, results[0]!);
        return results;
      });
    }
    return session[kRunBatch](bound, preallocated).catch(() => {
      planner.forget(signature);
      return session[kRunBatch](bound);
    });
  }

  #succeed(request: PendingRequest, value: unknown, finished: number): void {
    this.#stats.total.record((finished - request.enqueuedAt) * 1000);
    this.#stats.success++;
    request.resolve(value);
  }

  /** The instance is free already; the batch's requests settle when their handler calls do. */
  #postprocessBatch(batch: PendingRequest[], outputs: Results[], postprocess: BatchPostprocess): void {
    this.#postprocessing++;
    const settle = (each: (request: PendingRequest, i: number, finished: number) => void): void => {
      const finished = performance.now();
      for (let i = 0; i < batch.length; i++) each(batch[i]!, i, finished);
      this.#postprocessing--;
      this.#wakeIdleWaiters();
    };
    postprocess(outputs).then(
      (settled) => settle((request, i, finished) => {
        const result = settled[i]!;
        if (result.status === 'fulfilled') {
          this.#succeed(request, result.value, finished);
        } else {
          this.#stats.failure++;
          request.reject(result.reason);
        }
      }),
      (error: unknown) => settle((request) => {
        this.#stats.failure++;
        request.reject(batch.length === 1 ? error : copyError(error));
      }),
    );
  }

  #finish(instance: ModelInstance, rows: number, now: number, requests: number): void {
    // A batch of one request has one caller to come back: nothing can fragment, so release at
    // once and let that caller's next request take the fast path in submit().
    if (requests === 1) {
      this.#releasesPending++;
      this.#release(instance, rows, now);
      return;
    }
    // Release the instance only after the callers just resolved have run their continuations:
    // those that call infer() again then queue, and the release's pump shares all of them among
    // the idle instances. A nextTick queued from this promise reaction runs once the microtask
    // queue is empty, i.e. after every continuation however many awaits deep (a microtask would
    // run before callers two awaits away, and the first of them would go out as a batch of one).
    this.#releasesPending++;
    process.nextTick(() => this.#release(instance, rows, now));
  }

  #release(instance: ModelInstance, rows: number, now: number): void {
    this.#releasesPending--;
    instance.inFlight--;
    instance.outstandingRows -= rows;
    instance.idleSince = now;
    this.#inFlightBatches--;
    this.pump();
    this.#wakeIdleWaiters();
  }

  /** Stops the delay timer (unload). */
  stop(): void {
    if (this.#delayTimer === undefined) return;
    clearTimeout(this.#delayTimer as NodeJS.Timeout);
    clearImmediate(this.#delayTimer as NodeJS.Immediate);
    this.#delayTimer = undefined;
  }
}
