/**
 * The Piscina worker: one export per task kind. A task never rejects for what a handler does;
 * it answers with a Failure record instead, so that the pool can tell a handler's error (its
 * request fails) from a crashed worker (its task fails and Piscina replaces it). What handlers
 * return travels back moved, not copied: buffers they return are detached in the worker.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { unpackRequest } from './batch-views.js';
import { checkFeeds } from './feeds-check.js';
import { loadHandler } from './handler-loader.js';
import {
  type Failure,
  type PostprocessResponse,
  type PostprocessTask,
  type PreprocessResponse,
  type PreprocessTask,
  type RequestOutcome,
  toErrorRecord,
} from './protocol.js';
import { scanValue } from './transferables.js';

/** `value`, answered with `buffers` in the transfer list (Piscina's Transferable protocol). */
function withTransfer<T>(value: T, buffers: Iterable<ArrayBuffer>): T {
  const list = [...buffers];
  if (list.length === 0) return value;
  return move({ [transferableSymbol]: list, [valueSymbol]: value } as never) as unknown as T;
}

function threw(error: unknown): Failure {
  const cause = toErrorRecord(error);
  return { ok: false, reason: 'threw', detail: cause.message, cause };
}

export async function preprocess(task: PreprocessTask): Promise<PreprocessResponse> {
  const handler = await loadHandler(task.module, 'preprocess');
  if (typeof handler !== 'function') return handler;
  let returned: unknown;
  try {
    returned = await handler(task.input, task.context);
  } catch (error) {
    return threw(error);
  }
  const checked = checkFeeds(returned);
  if (!checked.ok) return checked;
  return withTransfer<PreprocessResponse>({ ok: true, feeds: checked.feeds }, checked.buffers);
}

export async function postprocess(task: PostprocessTask): Promise<PostprocessResponse> {
  const handler = await loadHandler(task.module, 'postprocess');
  if (typeof handler !== 'function') return handler;
  const outcomes: RequestOutcome[] = [];
  const buffers = new Set<ArrayBuffer>();
  // One request after another, in order: handlers are CPU work, and a worker runs one task at a time.
  for (const descriptors of task.requests) {
    let value: unknown;
    try {
      value = await handler(unpackRequest(task.buffers, descriptors), task.context);
    } catch (error) {
      outcomes.push(threw(error));
      continue;
    }
    const scan = scanValue(value);
    if (scan.unclonable !== undefined) {
      outcomes.push({ ok: false, reason: 'result', detail: `returned something that cannot be sent between threads: ${scan.unclonable}` });
      continue;
    }
    for (const buffer of scan.buffers) buffers.add(buffer);
    outcomes.push({ ok: true, value });
  }
  return withTransfer<PostprocessResponse>({ ok: true, outcomes }, buffers);
}
