/** One infer() call waiting in a model's queue, and how it settles. */
import type { BoundFeeds } from '../session/feed-binder.js';
import type { Results } from '../session/session.js';

export enum RequestState {
  Queued,
  Dispatched,
  Withdrawn, // aborted or timed out (reject) while queued
}

export interface PendingRequest {
  readonly bound: BoundFeeds;
  /** Dim 0 of its inputs: how many rows it adds to a batch. */
  readonly rows: number;
  /** Requests merge only with others of the same signature (their dims after dim 0). */
  readonly signature: string;
  /** Queue level: its priority, or the delayed level once timed out with action 'delay'. */
  level: number;
  /** performance.now() when queued, in ms. */
  readonly enqueuedAt: number;
  /** Dispatch without waiting for the batch to grow (light load: it found the queue empty). */
  readonly immediate: boolean;
  state: RequestState;
  /** Settles infer(): with the outputs, or with what the postprocess handler made of them. */
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Undoes the timeout timer and abort listener once the request leaves the queue. */
  cleanup: (() => void) | undefined;
  /**
   * Called with the request's outputs as soon as its batch finishes, before a postprocess handler
   * takes their memory to a worker (the result cache copies them here).
   */
  onOutputs: ((outputs: Results) => void) | undefined;
}
