/**
 * The queue of a model: one FIFO per priority level (0 first) plus a last level for requests
 * whose timeout passed with action 'delay'. Removal is lazy: withdrawn requests are skipped and
 * dropped when their level is next compacted.
 */
import { type PendingRequest, RequestState } from './pending-request.js';

export class RequestQueue {
  readonly #levels: PendingRequest[][];
  #size = 0;
  #rows = 0;

  constructor(priorityLevels: number) {
    this.#levels = Array.from({ length: priorityLevels + 1 }, () => []);
  }

  /** Requests queued. */
  get size(): number {
    return this.#size;
  }

  /** Rows queued (requests count by their dim 0). */
  get rows(): number {
    return this.#rows;
  }

  /** The level for requests that timed out with action 'delay'. */
  get delayedLevel(): number {
    return this.#levels.length - 1;
  }

  push(request: PendingRequest): void {
    this.#levels[request.level]!.push(request);
    this.#size++;
    this.#rows += request.rows;
  }

  /** Takes a queued request out (abort, timeout); false if it had already left. */
  withdraw(request: PendingRequest): boolean {
    if (request.state !== RequestState.Queued) return false;
    request.state = RequestState.Withdrawn;
    this.#size--;
    this.#rows -= request.rows;
    return true;
  }

  /** Moves a queued request behind every request still in time. */
  demote(request: PendingRequest): void {
    if (request.state !== RequestState.Queued || request.level === this.delayedLevel) return;
    request.level = this.delayedLevel;
    this.#levels[this.delayedLevel]!.push(request);
  }

  /** The request to serve next: highest priority, oldest first. */
  head(): PendingRequest | undefined {
    for (let level = 0; level < this.#levels.length; level++) {
      for (const request of this.#levels[level]!) {
        if (request.state === RequestState.Queued && request.level === level) return request;
      }
    }
    return undefined;
  }

  /** Rows that a batch of `signature` could take now, counting up to `limit`. */
  rowsFor(signature: string, limit: number): number {
    let rows = 0;
    this.#scan(signature, limit, Infinity, (request) => {
      rows += request.rows;
    });
    return rows;
  }

  /**
   * Takes requests of `signature` in priority then FIFO order while they fit in `limit` rows
   * (and `maxRequests`);
   * stops at the first that does not fit, so that no request is overtaken by a later one.
   */
  take(signature: string, limit: number, maxRequests = Infinity): PendingRequest[] {
    const batch: PendingRequest[] = [];
    this.#scan(signature, limit, maxRequests, (request) => {
      request.state = RequestState.Dispatched;
      this.#size--;
      this.#rows -= request.rows;
      batch.push(request);
    });
    // Compact: drop what was taken, withdrawn or moved to the delayed level (O(queue) per batch).
    for (let level = 0; level < this.#levels.length; level++) {
      const list = this.#levels[level]!;
      if (list.length === 0) continue;
      const kept = list.filter((request) => request.state === RequestState.Queued && request.level === level);
      if (kept.length !== list.length) this.#levels[level] = kept;
    }
    return batch;
  }

  /** Empties the queue, returning what was in it (unload, close). */
  drain(): PendingRequest[] {
    const all: PendingRequest[] = [];
    for (let level = 0; level < this.#levels.length; level++) {
      for (const request of this.#levels[level]!) {
        if (request.state === RequestState.Queued && request.level === level) {
          request.state = RequestState.Withdrawn;
          all.push(request);
        }
      }
      this.#levels[level] = [];
    }
    this.#size = 0;
    this.#rows = 0;
    return all;
  }

  #scan(signature: string, limit: number, maxRequests: number, visit: (request: PendingRequest) => void): void {
    let rows = 0;
    let count = 0;
    for (let level = 0; level < this.#levels.length; level++) {
      for (const request of this.#levels[level]!) {
        if (request.state !== RequestState.Queued || request.level !== level || request.signature !== signature) continue;
        if (rows + request.rows > limit || count === maxRequests) return;
        rows += request.rows;
        count++;
        visit(request);
      }
    }
  }
}
