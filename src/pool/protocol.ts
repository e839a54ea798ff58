/**
 * What crosses between the pool (main thread) and its workers: task and response shapes, and
 * errors as plain records. Everything here is structured-cloneable; nothing here imports more
 * than types, so the worker stays light.
 */
import type { DType } from '../tensor/dtype.js';

/** Plain data handed to every handler call as its second argument. */
export interface HandlerContext {
  /** The model's name. */
  model: string;
  /** The model's version. */
  version: string;
  [key: string]: unknown;
}

/** Which handler a task calls; also the worker entry's export that runs it. */
export type HandlerKind = 'preprocess' | 'postprocess';

/** A tensor as it crosses: its data is a typed array (moved or shared) or a string array. */
export interface WireTensor {
  dtype: DType;
  data: ArrayBufferView | string[];
  shape: number[];
}

/**
 * One tensor of a postprocess batch: a view into `buffers[buffer]` of the task (typed data), or
 * the strings themselves (string tensors have no buffer to share).
 */
export type ViewDescriptor =
  | { dtype: DType; shape: number[]; buffer: number; byteOffset: number; length: number }
  | { dtype: 'string'; shape: number[]; strings: string[] };

export interface PreprocessTask {
  /** The handler module's file: URL (the worker's cache key). */
  module: string;
  input: unknown;
  context: HandlerContext;
}

export interface PostprocessTask {
  module: string;
  /** Each distinct buffer of the batch once: moved here, or shared. */
  buffers: Array<ArrayBuffer | SharedArrayBuffer>;
  /** Per request, per output name, where its data lies in `buffers`. */
  requests: Array<Record<string, ViewDescriptor>>;
  context: HandlerContext;
}

/** An error turned into plain data in the worker; the pool rebuilds it as an Error (the cause). */
export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  /** The thrown value's `code`, if it had a string one (Node's system errors do). */
  code?: string;
}

/**
 * Why a handler call did not give a value. `load`: the module could not be imported or exports
 * no function; `threw`: the handler threw or rejected; `result`: what it returned cannot be used
 * (`key` names the feed, where one is at fault).
 */
export interface Failure {
  ok: false;
  reason: 'load' | 'threw' | 'result';
  detail: string;
  key?: string;
  cause?: ErrorRecord;
}

export type PreprocessResponse = { ok: true; feeds: Record<string, WireTensor> } | Failure;

export type RequestOutcome = { ok: true; value: unknown } | Failure;

/** A load failure fails the whole batch; otherwise one outcome per request, in order. */
export type PostprocessResponse = { ok: true; outcomes: RequestOutcome[] } | Failure;

/** A thrown value as plain data (anything can be thrown; only a record crosses safely). */
export function toErrorRecord(thrown: unknown): ErrorRecord {
  if (thrown instanceof Error) {
    const record: ErrorRecord = { name: thrown.name, message: thrown.message };
    if (typeof thrown.stack === 'string') record.stack = thrown.stack;
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === 'string') record.code = code;
    return record;
  }
  let message: string;
  try {
    message = typeof thrown === 'string' ? thrown : `a non-Error value was thrown: ${String(thrown)}`;
  } catch {
    message = 'a non-Error value was thrown'; // String() itself threw (e.g. a null-prototype object)
  }
  return { name: 'Error', message };
}

/** The Error a record describes, with the worker's stack (the frames that matter are there). */
export function fromErrorRecord(record: ErrorRecord): Error {
  const error = new Error(record.message);
  Object.defineProperty(error, 'name', { value: record.name, configurable: true, writable: true, enumerable: false });
  if (record.stack !== undefined) Object.defineProperty(error, 'stack', { value: record.stack, configurable: true, writable: true, enumerable: false });
  if (record.code !== undefined) Object.defineProperty(error, 'code', { value: record.code, configurable: true, writable: true, enumerable: true });
  return error;
}
