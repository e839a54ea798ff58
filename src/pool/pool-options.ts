/** WorkerPool's options: what may be given, the defaults, and the checks. */
import { availableParallelism } from 'node:os';
import { errors } from '../errors.js';
import { checkKnownOptions, describe, integerOption, optionsObject } from '../validate.js';

export interface WorkerPoolOptions {
  /** Most worker threads at once; default: one fewer than the cores, at least 1. */
  size?: number;
  /** A worker idle this long exits (one always stays); default 30000 ms. */
  idleTimeoutMs?: number;
  /** Names the pool in messages, e.g. the model's name; default "default". */
  name?: string;
}

export interface ResolvedWorkerPoolOptions {
  size: number;
  idleTimeoutMs: number;
  name: string;
}

const kOptionNames = ['size', 'idleTimeoutMs', 'name'] as const;
const kDefaultIdleTimeoutMs = 30_000;
// Node's timers take at most a signed 32-bit count of milliseconds.
const kMaxTimerMs = 2 ** 31 - 1;

/**
 * One fewer than the cores, at least 1. Pre/post-processing shares the machine with ONNX Runtime's
 * own thread pool, which runs the model and is the bottleneck of a serving process; a worker per
 * core would take the cores from it and from the event loop. On 2 cores this is one worker.
 */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Fills the defaults into a complete options object.
 *
 * @throws ERR_INFERLINE_INVALID_ARG for a bad value, ERR_INFERLINE_UNKNOWN_OPTION for an unknown key.
 */
export function resolveWorkerPoolOptions(options: unknown): ResolvedWorkerPoolOptions {
  const what = 'new WorkerPool';
  const checked = optionsObject(options, what);
  checkKnownOptions(checked, kOptionNames, what);
  const size = checked.size === undefined ? defaultPoolSize() : integerOption(checked.size, `${what}: size`, 1, 1024);
  const idleTimeoutMs = checked.idleTimeoutMs === undefined
    ? kDefaultIdleTimeoutMs
    : integerOption(checked.idleTimeoutMs, `${what}: idleTimeoutMs`, 0, kMaxTimerMs);
  let name = 'default';
  if (checked.name !== undefined) {
    if (typeof checked.name !== 'string' || checked.name.length === 0) {
      throw errors.invalidArg(`${what}: name must be a non-empty string, received ${describe(checked.name)}`);
    }
    name = checked.name;
  }
  return { size, idleTimeoutMs, name };
}
