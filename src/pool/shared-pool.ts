/**
 * The worker pool models use when given none: one per process (per thread that loads inferline),
 * created on first use so that a process without handler modules starts no threads.
 */
import { WorkerPool } from './worker-pool.js';

let shared: WorkerPool | undefined;

/** The process-wide pool, with the default size; recreated if someone closed it. */
export function sharedWorkerPool(): WorkerPool {
  if (shared === undefined || shared.closed) shared = new WorkerPool({ name: 'inferline' });
  return shared;
}
