/**
 * A model's instances: sessions of the same model, each running one batch at a time. Picks an
 * idle instance for a batch by the model's balancing policy, and adds or removes instances
 * between min and max as the queue grows or instances sit idle. Scaling never touches an
 * instance with work in flight, so it never drops or fails a request.
 */
import { Session } from '../session/session.js';
import type { SessionOptions } from '../session/session-options.js';
import type { BalancingPolicy, InstanceOptions } from './model-options.js';

export interface ModelInstance {
  readonly session: Session;
  /** Batches running on it (0 or 1). */
  inFlight: number;
  /** Rows running on it; what 'least-outstanding' compares. */
  outstandingRows: number;
  /** performance.now() when it last finished a batch (or started). */
  idleSince: number;
}

export class InstanceGroup {
  readonly #source: string | Uint8Array;
  readonly #sessionOptions: SessionOptions;
  readonly #options: Required<InstanceOptions>;
  readonly #onInstanceAdded: () => void;
  readonly #instances: ModelInstance[] = [];
  #loading = 0;
  readonly #scaleUps = new Set<Promise<void>>(); // sessions being added, awaited by close()
  #nextRoundRobin = 0;
  #queueAboveSince: number | undefined;
  #closed = false;
  scaleUps = 0;
  scaleDowns = 0;

  /** `onInstanceAdded` runs when autoscaling brings an instance up (to serve the queue). */
  constructor(source: string | Uint8Array, sessionOptions: SessionOptions, options: Required<InstanceOptions>, onInstanceAdded: () => void) {
    this.#source = source;
    this.#sessionOptions = sessionOptions;
    this.#options = options;
    this.#onInstanceAdded = onInstanceAdded;
  }

  /** Starts the initial instances; the first failure fails the load. */
  async start(): Promise<void> {
    const sessions = await Promise.allSettled(Array.from({ length: this.#options.count }, () => Session.create(this.#source, this.#sessionOptions)));
    const failed = sessions.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(sessions.map((result) => (result.status === 'fulfilled' ? result.value.close() : undefined)));
      throw (failed as PromiseRejectedResult).reason;
    }
    for (const result of sessions) this.#add((result as PromiseFulfilledResult<Session>).value);
  }

  /** Any instance: for metadata and feed checks (all instances load the same model). */
  get first(): ModelInstance {
    return this.#instances[0]!;
  }

  get count(): number {
    return this.#instances.length;
  }

  get loading(): number {
    return this.#loading;
  }

  get busy(): number {
    return this.#instances.filter((instance) => instance.inFlight > 0).length;
  }

  /** An idle instance chosen by the policy, or undefined when all are busy. */
  pickIdle(): ModelInstance | undefined {
    const instances = this.#instances;
    const policy: BalancingPolicy = this.#options.policy;
    if (policy === 'round-robin') {
      for (let i = 0; i < instances.length; i++) {
        const index = (this.#nextRoundRobin + i) % instances.length;
        if (instances[index]!.inFlight === 0) {
          this.#nextRoundRobin = index + 1;
          return instances[index];
        }
      }
      return undefined;
    }
    if (policy === 'random') {
      const idle = instances.filter((instance) => instance.inFlight === 0);
      return idle[Math.floor(Math.random() * idle.length)];
    }
    let best: ModelInstance | undefined;
    for (const instance of instances) {
      if (instance.inFlight === 0 && (best === undefined || instance.outstandingRows < best.outstandingRows)) best = instance;
    }
    return best;
  }

  idleCount(): number {
    let idle = 0;
    for (const instance of this.#instances) if (instance.inFlight === 0) idle++;
    return idle;
  }

  /**
   * Applies the autoscaling rules; called as the queue changes and on a timer. Adds an instance
   * when more than scaleUpQueueRows rows have stayed queued for scaleUpAfterMs; removes an
   * instance idle for scaleDownIdleMs. One change at a time.
   */
  autoscale(queuedRows: number, now: number): void {
    const { min, max, scaleUpQueueRows, scaleUpAfterMs, scaleDownIdleMs } = this.#options;
    if (this.#closed || min === max) return;
    if (queuedRows > scaleUpQueueRows) {
      this.#queueAboveSince ??= now;
      if (now - this.#queueAboveSince >= scaleUpAfterMs && this.#loading === 0 && this.#instances.length < max) {
        this.#queueAboveSince = undefined;
        const scaling = this.#scaleUp();
        this.#scaleUps.add(scaling);
        void scaling.finally(() => this.#scaleUps.delete(scaling));
      }
      return;
    }
    this.#queueAboveSince = undefined;
    if (this.#instances.length + this.#loading <= min) return;
    const idle = this.#instances.find((instance) => instance.inFlight === 0 && now - instance.idleSince >= scaleDownIdleMs);
    if (idle !== undefined) {
      this.#instances.splice(this.#instances.indexOf(idle), 1);
      this.scaleDowns++;
      // Idle and no longer pickable: nothing can be running on it.
      void idle.session.close();
    }
  }

  /** Closes every instance once its batch in flight is done (the caller drained the queue). */
  async close(): Promise<void> {
    this.#closed = true;
    // A session still loading closes itself when it sees #closed; wait for it too.
    await Promise.all([...this.#scaleUps, ...this.#instances.map((instance) => instance.session.close())]);
  }

  async #scaleUp(): Promise<void> {
    this.#loading++;
    try {
      const session = await Session.create(this.#source, this.#sessionOptions);
      if (this.#closed) {
        await session.close();
        return;
      }
      this.#add(session);
      this.scaleUps++;
      this.#onInstanceAdded();
    } catch (error) {
      // The model loaded before, so this is resource exhaustion or the like: keep serving with
      // the instances there are, and say why the group did not grow.
      process.emitWarning(`Model instance could not be added: ${(error as Error).message}`, { code: 'INFERLINE_SCALE_UP_FAILED' });
    } finally {
      this.#loading--;
    }
  }

  #add(session: Session): void {
    this.#instances.push({ session, inFlight: 0, outstandingRows: 0, idleSince: performance.now() });
  }
}
