/**
 * Every error inferline raises is an {@link InferlineError} with a stable `code`; users branch on
 * `code`, never on the message. Argument errors are also `TypeError` or `RangeError` instances,
 * as Node's own are. One factory per code; each code is listed in docs/errors.md.
 */

const kInferlineBrand = Symbol.for('inferline.error');

export type InferlineErrorCode =
  | 'ERR_INFERLINE_INVALID_ARG'
  | 'ERR_INFERLINE_UNKNOWN_OPTION'
  | 'ERR_INFERLINE_INVALID_TENSOR'
  | 'ERR_INFERLINE_UNKNOWN_INPUT'
  | 'ERR_INFERLINE_MISSING_INPUT'
  | 'ERR_INFERLINE_UNKNOWN_OUTPUT'
  | 'ERR_INFERLINE_DTYPE_MISMATCH'
  | 'ERR_INFERLINE_SHAPE_MISMATCH'
  | 'ERR_INFERLINE_DETACHED_BUFFER'
  | 'ERR_INFERLINE_MODEL_NOT_FOUND'
  | 'ERR_INFERLINE_RUNTIME_LOAD'
  | 'ERR_INFERLINE_ADDON_LOAD'
  | 'ERR_INFERLINE_ORT'
  | 'ERR_INFERLINE_SESSION_CLOSED'
  | 'ERR_INFERLINE_ABORTED'
  | 'ERR_INFERLINE_PROVIDER_UNAVAILABLE'
  | 'ERR_INFERLINE_UNSUPPORTED'
  | 'ERR_INFERLINE_QUEUE_FULL'
  | 'ERR_INFERLINE_TIMEOUT'
  | 'ERR_INFERLINE_MODEL_UNLOADED'
  | 'ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH'
  | 'ERR_INFERLINE_CACHE_SNAPSHOT_INVALID'
  | 'ERR_INFERLINE_CACHE_SNAPSHOT_IO'
  | 'ERR_INFERLINE_HANDLER_LOAD'
  | 'ERR_INFERLINE_HANDLER_FAILED'
  | 'ERR_INFERLINE_HANDLER_RESULT'
  | 'ERR_INFERLINE_WORKER_CRASHED'
  | 'ERR_INFERLINE_POOL_CLOSED'
  | 'ERR_INFERLINE_UNKNOWN_MODEL'
  | 'ERR_INFERLINE_MODEL_NOT_READY'
  | 'ERR_INFERLINE_MODEL_CONFIG'
  | 'ERR_INFERLINE_UNAUTHORIZED'
  | 'ERR_INFERLINE_PAYLOAD_TOO_LARGE'
  | 'ERR_INFERLINE_INTERNAL';

interface ErrorExtras {
  cause?: unknown;
  /** ONNX Runtime's own OrtErrorCode, for ERR_INFERLINE_ORT. */
  ortCode?: number;
}

function brand<E extends Error>(error: E, name: string, code: InferlineErrorCode, extras?: ErrorExtras): E {
  Object.defineProperty(error, 'name', { value: name, configurable: true, writable: true, enumerable: false });
  Object.defineProperty(error, 'code', { value: code, configurable: true, writable: true, enumerable: true });
  if (extras?.ortCode !== undefined) {
    Object.defineProperty(error, 'ortCode', { value: extras.ortCode, configurable: true, writable: true, enumerable: true });
  }
  Object.defineProperty(error, kInferlineBrand, { value: true });
  return error;
}

/**
 * Base class of inferline's errors. `instanceof InferlineError` also holds for the argument
 * errors, which are built as TypeError/RangeError instances.
 */
export class InferlineError extends Error {
  declare readonly code: InferlineErrorCode;
  declare readonly ortCode?: number;

  constructor(code: InferlineErrorCode, message: string, extras?: ErrorExtras) {
    super(message, extras?.cause === undefined ? undefined : { cause: extras.cause });
    brand(this, 'InferlineError', code, extras);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kInferlineBrand] === true;
  }
}

/** An error whose type says what went wrong, for users who branch on it. */
export interface InferlineTypedError extends Error {
  readonly code: InferlineErrorCode;
  readonly ortCode?: number;
}

function typeError(code: InferlineErrorCode, message: string): InferlineTypedError {
  return brand(new TypeError(message), 'TypeError', code) as unknown as InferlineTypedError;
}

function rangeError(code: InferlineErrorCode, message: string): InferlineTypedError {
  return brand(new RangeError(message), 'RangeError', code) as unknown as InferlineTypedError;
}

export const errors = {
  invalidArg: (message: string) => typeError('ERR_INFERLINE_INVALID_ARG', message),
  outOfRange: (message: string) => rangeError('ERR_INFERLINE_INVALID_ARG', message),
  unknownOption: (message: string) => typeError('ERR_INFERLINE_UNKNOWN_OPTION', message),
  invalidTensor: (message: string) => typeError('ERR_INFERLINE_INVALID_TENSOR', message),
  invalidTensorRange: (message: string) => rangeError('ERR_INFERLINE_INVALID_TENSOR', message),
  unknownInput: (message: string) => typeError('ERR_INFERLINE_UNKNOWN_INPUT', message),
  missingInput: (message: string) => typeError('ERR_INFERLINE_MISSING_INPUT', message),
  unknownOutput: (message: string) => typeError('ERR_INFERLINE_UNKNOWN_OUTPUT', message),
  dtypeMismatch: (message: string) => typeError('ERR_INFERLINE_DTYPE_MISMATCH', message),
  shapeMismatch: (message: string) => rangeError('ERR_INFERLINE_SHAPE_MISMATCH', message),
  detachedBuffer: (message: string) => typeError('ERR_INFERLINE_DETACHED_BUFFER', message),
  modelNotFound: (message: string, cause?: unknown) =>
    new InferlineError('ERR_INFERLINE_MODEL_NOT_FOUND', message, { cause }),
  runtimeLoad: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_RUNTIME_LOAD', message, { cause }),
  addonLoad: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_ADDON_LOAD', message, { cause }),
  ort: (message: string, ortCode?: number) => new InferlineError('ERR_INFERLINE_ORT', message, { ortCode }),
  sessionClosed: (message: string) => new InferlineError('ERR_INFERLINE_SESSION_CLOSED', message),
  aborted: (message: string, cause?: unknown) => {
    const error = new InferlineError('ERR_INFERLINE_ABORTED', message, { cause });
    // AbortError is the name fetch(), streams and timers/promises use; code stays ours.
    Object.defineProperty(error, 'name', { value: 'AbortError', configurable: true, writable: true });
    return error;
  },
  providerUnavailable: (message: string) => new InferlineError('ERR_INFERLINE_PROVIDER_UNAVAILABLE', message),
  unsupported: (message: string) => new InferlineError('ERR_INFERLINE_UNSUPPORTED', message),
  internal: (message: string) => new InferlineError('ERR_INFERLINE_INTERNAL', message),
  queueFull: (message: string) => new InferlineError('ERR_INFERLINE_QUEUE_FULL', message),
  timeout: (message: string) => new InferlineError('ERR_INFERLINE_TIMEOUT', message),
  modelUnloaded: (message: string) => new InferlineError('ERR_INFERLINE_MODEL_UNLOADED', message),
  cacheSnapshotMismatch: (message: string) => new InferlineError('ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH', message),
  cacheSnapshotInvalid: (message: string, cause?: unknown) =>
    new InferlineError('ERR_INFERLINE_CACHE_SNAPSHOT_INVALID', message, { cause }),
  cacheSnapshotIo: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_CACHE_SNAPSHOT_IO', message, { cause }),
  handlerLoad: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_HANDLER_LOAD', message, { cause }),
  handlerFailed: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_HANDLER_FAILED', message, { cause }),
  handlerResult: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_HANDLER_RESULT', message, { cause }),
  workerCrashed: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_WORKER_CRASHED', message, { cause }),
  poolClosed: (message: string) => new InferlineError('ERR_INFERLINE_POOL_CLOSED', message),
  unknownModel: (message: string) => new InferlineError('ERR_INFERLINE_UNKNOWN_MODEL', message),
  modelNotReady: (message: string) => new InferlineError('ERR_INFERLINE_MODEL_NOT_READY', message),
  modelConfig: (message: string, cause?: unknown) => new InferlineError('ERR_INFERLINE_MODEL_CONFIG', message, { cause }),
  unauthorized: (message: string) => new InferlineError('ERR_INFERLINE_UNAUTHORIZED', message),
  payloadTooLarge: (message: string) => new InferlineError('ERR_INFERLINE_PAYLOAD_TOO_LARGE', message),
};

/** Builds the JS error for a failure reported by the addon (registered with it at load). */
export function errorFromNative(code: string, message: string, ortCode: number): Error {
  switch (code) {
    case 'ERR_INFERLINE_INVALID_ARG':
      return errors.invalidArg(message);
    case 'ERR_INFERLINE_ORT':
      return errors.ort(message, ortCode);
    case 'ERR_INFERLINE_ABORTED':
      return errors.aborted(message);
    case 'ERR_INFERLINE_RUNTIME_LOAD':
    case 'ERR_INFERLINE_SESSION_CLOSED':
    case 'ERR_INFERLINE_PROVIDER_UNAVAILABLE':
    case 'ERR_INFERLINE_UNSUPPORTED':
      return new InferlineError(code, message);
    default:
      return errors.internal(message);
  }
}

/** A fresh error with the same code, message and ONNX Runtime code, `cause` the original. */
export function copyError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(error.message, { cause: error });
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  for (const key of ['name', 'code', 'ortCode'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) Object.defineProperty(copy, key, { value, configurable: true, writable: true, enumerable: key !== 'name' });
  }
  if (error instanceof InferlineError) Object.defineProperty(copy, kInferlineBrand, { value: true });
  return copy;
}

/**
 * Errors from the addon are created on a completion callback, with no JS frames of the caller.
 * Called right after the caller's await, captureStackTrace records the caller's async stack.
 */
export function withCallerStack(error: unknown): unknown {
  if (error instanceof Error && typeof Error.captureStackTrace === 'function') {
    const message = `${error.name}: ${error.message}`;
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, withCallerStack);
    if (holder.stack !== undefined) {
      const frames = holder.stack.slice(holder.stack.indexOf('\n'));
      Object.defineProperty(error, 'stack', { value: message + frames, configurable: true, writable: true });
    }
  }
  return error;
}
