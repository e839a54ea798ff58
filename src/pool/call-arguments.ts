/** Checks of the arguments WorkerPool.preprocess and postprocess share. */
import { errors } from '../errors.js';
import { describe, isPlainObject } from '../validate.js';
import type { HandlerContext } from './protocol.js';

export function checkContext(context: unknown, what: string): HandlerContext {
  if (!isPlainObject(context)) throw errors.invalidArg(`${what}: context must be a plain object ({ model, version }), received ${describe(context)}`);
  return context as HandlerContext;
}

export function checkSignal(signal: unknown, what: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (signal instanceof AbortSignal) return signal;
  throw errors.invalidArg(`${what}: signal must be an AbortSignal, received ${describe(signal)}`);
}

/** The buffers to move with the input, each once; SharedArrayBuffers are refused (they are shared anyway). */
export function checkTransfer(transfer: unknown, what: string): ArrayBuffer[] {
  if (transfer === undefined) return [];
  if (!Array.isArray(transfer)) throw errors.invalidArg(`${what}: transfer must be an array of ArrayBuffers, received ${describe(transfer)}`);
  const unique = new Set<ArrayBuffer>();
  for (let i = 0; i < transfer.length; i++) {
    const buffer: unknown = transfer[i];
    if (!(buffer instanceof ArrayBuffer)) {
      const hint = typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer ? ' (SharedArrayBuffers are shared as they are: leave them out)' : '';
      throw errors.invalidArg(`${what}: transfer[${i}] must be an ArrayBuffer, received ${describe(buffer)}${hint}`);
    }
    unique.add(buffer);
  }
  return [...unique];
}
