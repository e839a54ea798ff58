/**
 * Single-flight for the result cache: the computations running now, by request key, which an
 * identical request joins instead of computing again.
 */
import { type RequestKey, sameRequest, type StoredRequest } from './request-key.js';
import type { StoredOutputs } from './stored-outputs.js';

/** One computation in flight, with what it keeps of its request to compare joiners against. */
interface Flight extends StoredRequest {
  /** Resolves with the cache's private copy of the outputs; rejects with compute's error. */
  readonly result: Promise<StoredOutputs>;
}

/** How the leader of a flight ends it: each also takes the flight off the list. */
export interface FlightEnd {
  resolve(stored: StoredOutputs): void;
  reject(error: unknown): void;
}

export class InFlight {
  readonly #flights = new Map<string, Flight>();

  /** Computations in flight. */
  get size(): number {
    return this.#flights.size;
  }

  /** Whether a computation runs under `key` (possibly for another request with that digest). */
  has(key: string): boolean {
    return this.#flights.has(key);
  }

  /** The result of a computation for this very request (same key and same request in full). */
  join(request: RequestKey): Promise<StoredOutputs> | undefined {
    const flight = this.#flights.get(request.key);
    return flight !== undefined && sameRequest(flight, request) ? flight.result : undefined;
  }

  /**
   * Lists the computation the leader of `request` is starting; `shapes` and `inputs` are its
   * private copies, which joiners are compared with (the request's own arrays belong to its
   * caller). Precondition: nothing runs under the request's key (has() is false).
   */
  start(request: RequestKey, shapes: readonly number[][], inputs: readonly Uint8Array[]): FlightEnd {
    let settle!: FlightEnd;
    const result = new Promise<StoredOutputs>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // The leader's caller always sees the error, and joiners, if any, too. Without joiners no one
    // awaits `result`, and that must not count as an unhandled rejection.
    result.catch(() => undefined);
    const flight: Flight = { names: request.names, dtypes: request.dtypes, shapes, inputs, result };
    this.#flights.set(request.key, flight);
    const end = (): void => {
      // clear() may have dropped it, and a new flight for the key may have started since.
      if (this.#flights.get(request.key) === flight) this.#flights.delete(request.key);
    };
    return {
      resolve: (stored) => {
        end();
        settle.resolve(stored);
      },
      reject: (error) => {
        end();
        settle.reject(error);
      },
    };
  }

  /** Forgets every flight: later requests do not join them; their joiners still get answers. */
  clear(): void {
    this.#flights.clear();
  }
}
