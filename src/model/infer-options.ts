/** Model.infer's options: what a caller may give, checked once with the model's defaults filled in. */
import { errors } from '../errors.js';
import { checkKnownOptions, describe, isInteger, isPlainObject } from '../validate.js';
import type { ResolvedModelOptions } from './model-options.js';

export interface InferOptions {
  /**
   * ArrayBuffers of the input to move to the preprocess worker instead of copying them (they
   * are detached here); models with a preprocess module only.
   */
  transfer?: ArrayBuffer[];
  /** Queue priority: 0 is served first; default batching.defaultPriority. */
  priority?: number;
  /** Time in queue after which the model's timeoutAction applies; overrides defaultTimeoutMicros. */
  timeoutMs?: number;
  /** Withdraws the request while it is queued (a batch already running is never cut short). */
  signal?: AbortSignal;
}

const kInferOptionNames = ['priority', 'timeoutMs', 'signal', 'transfer'] as const;

/** infer()'s options once checked, defaults filled in. */
export interface CheckedInferOptions {
  priority: number;
  timeoutMicros: number;
  signal: AbortSignal | undefined;
  transfer: ArrayBuffer[] | undefined;
}

/**
 * Checks `options` (`what` names the call in messages) against the model's queue policy.
 *
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION.
 */
export function checkInferOptions(options: unknown, what: string, policy: ResolvedModelOptions['queue'], hasPreprocess: boolean): CheckedInferOptions {
  const checked: CheckedInferOptions = { priority: policy.defaultPriority, timeoutMicros: policy.defaultTimeoutMicros, signal: undefined, transfer: undefined };
  if (options === undefined) return checked;
  if (!isPlainObject(options)) throw errors.invalidArg(`${what}: options must be an object, received ${describe(options)}`);
  checkKnownOptions(options, kInferOptionNames, what);
  if (options.transfer !== undefined) {
    if (!hasPreprocess) {
      throw errors.invalidArg(`${what}: transfer moves input buffers to a preprocess worker, and this model has no preprocess module`);
    }
    checked.transfer = options.transfer as ArrayBuffer[]; // checked by the pool, as its own option
  }
  if (options.priority !== undefined) {
    if (!isInteger(options.priority, 0, policy.priorityLevels - 1)) {
      throw errors.outOfRange(`${what}: priority must be an integer from 0 to ${policy.priorityLevels - 1} (batching.priorityLevels), received ${describe(options.priority)}`);
    }
    checked.priority = options.priority;
  }
  if (options.timeoutMs !== undefined) {
    if (typeof options.timeoutMs !== 'number' || !(options.timeoutMs > 0)) {
      throw errors.outOfRange(`${what}: timeoutMs must be a positive number, received ${describe(options.timeoutMs)}`);
    }
    checked.timeoutMicros = options.timeoutMs * 1000;
  }
  if (options.signal !== undefined) {
    if (!(options.signal instanceof AbortSignal)) throw errors.invalidArg(`${what}: signal must be an AbortSignal, received ${describe(options.signal)}`);
    checked.signal = options.signal;
  }
  return checked;
}
