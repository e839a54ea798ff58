/**
 * Imports handler modules in a worker, once per module per worker, and picks the function a task
 * calls. Runs only in worker threads.
 */
import type { Failure, HandlerContext, HandlerKind } from './protocol.js';
import { toErrorRecord } from './protocol.js';

/** A user's preprocess or postprocess function. */
export type Handler = (input: unknown, context: HandlerContext) => unknown;

/** Module namespaces by file: URL; a failed import is forgotten so that a fixed file can load later. */
const kModules = new Map<string, Promise<Record<string, unknown>>>();

function importOnce(moduleUrl: string): Promise<Record<string, unknown>> {
  let loading = kModules.get(moduleUrl);
  if (loading === undefined) {
    loading = import(moduleUrl) as Promise<Record<string, unknown>>;
    kModules.set(moduleUrl, loading);
    loading.catch(() => kModules.delete(moduleUrl));
  }
  return loading;
}

/** The named export for `kind`, else the default export; for CommonJS, also `module.exports[kind]`. */
function pickHandler(namespace: Record<string, unknown>, kind: HandlerKind): Handler | undefined {
  const named = namespace[kind];
  if (typeof named === 'function') return named as Handler;
  const fallback = namespace['default'];
  if (typeof fallback === 'function') return fallback as Handler;
  if (typeof fallback === 'object' && fallback !== null) {
    const fromCommonJs = (fallback as Record<string, unknown>)[kind];
    if (typeof fromCommonJs === 'function') return fromCommonJs as Handler;
  }
  return undefined;
}

/** The handler of `kind` in the module at `moduleUrl`, or why there is none. */
export async function loadHandler(moduleUrl: string, kind: HandlerKind): Promise<Handler | Failure> {
  let namespace: Record<string, unknown>;
  try {
    namespace = await importOnce(moduleUrl);
  } catch (error) {
    const record = toErrorRecord(error);
    return { ok: false, reason: 'load', detail: `could not be imported: ${record.message}`, cause: record };
  }
  const handler = pickHandler(namespace, kind);
  if (handler !== undefined) return handler;
  const exported = Object.keys(namespace);
  return {
    ok: false,
    reason: 'load',
    detail: `exports no ${kind} function: expected a default export or a named export "${kind}" that is a function ` +
      `(it exports ${exported.length === 0 ? 'nothing' : exported.map((name) => `"${name}"`).join(', ')})`,
  };
}
