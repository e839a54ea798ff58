/**
 * A Model request through its result cache: answered from the cache, or by an identical request
 * already in flight (single-flight), or queued as usual with its outputs stored on the way back.
 */
import { handOverToCache } from '../cache/internal.js';
import type { ResultCache } from '../cache/result-cache.js';
import { errors } from '../errors.js';
import type { Results } from '../session/session.js';
import type { TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { ModelStats } from './model-stats.js';

/** What the cached path needs of the Model and of this one request. */
export interface CachedRequest {
  /** The model's name, for messages. */
  label: string;
  signal: AbortSignal | undefined;
  stats: ModelStats;
  /** Queues the request: `onOutputs` sees its outputs first, `onError` its failure first. */
  enqueue(onOutputs: (outputs: Results) => void, onError: (error: unknown) => void): Promise<unknown>;
  /** The model's postprocess for one request's outputs; undefined without one. */
  postprocess: ((outputs: Results) => Promise<unknown>) | undefined;
}

/** Own copies of a request's outputs (views of a batch), for the cache when a worker takes the batch. */
function copyOutputs(outputs: Results): Results {
  const copies: Results = {};
  for (const [name, tensor] of Object.entries(outputs)) copies[name] = Tensor.fromTrusted(tensor.dtype, tensor.data.slice() as TensorData, tensor.shape);
  return copies;
}

/** `promise`, or `abortError()` as soon as `signal` fires. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, abortError: () => Error): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The request's result: leaders resolve through the batcher (which counts them in the stats);
 * hits and joiners are counted here. `feeds` are the request's inputs as Tensors (the cache key).
 */
export async function inferThroughCache(cache: ResultCache, feeds: Record<string, Tensor>, request: CachedRequest): Promise<unknown> {
  const postprocess = request.postprocess;
  for (;;) {
    let queued: Promise<unknown> | undefined;
    // run() calls compute synchronously when this request leads (nothing stored, nothing in
    // flight), so `queued` tells a leader from a hit or a joiner once it returns.
    const stored = cache.run(feeds, () => new Promise<Results>((resolveOutputs, rejectOutputs) => {
      // Without postprocess the cache copies the outputs after this promise settles, before the
      // caller (who gets them from run()) can touch them. With one, their memory moves to a
      // worker in the same turn: the cache gets a copy made now, its own to keep.
      queued = request.enqueue((outputs) => resolveOutputs(postprocess === undefined ? outputs : handOverToCache(copyOutputs(outputs))), rejectOutputs);
    }));
    if (queued !== undefined) {
      // The leader: its failure reaches it through `queued`, and joiners through `stored`.
      if (postprocess === undefined) {
        queued.catch(() => {});
        return stored;
      }
      stored.catch(() => {});
      return queued;
    }
    let outputs: Results;
    try {
      outputs = await abortable(stored, request.signal, () => errors.aborted(`Model "${request.label}" infer was aborted while waiting for an identical request`, request.signal?.reason));
    } catch (error) {
      // The request this one joined was aborted or timed out by its own caller: not this
      // request's failure. Try again: it now leads, or joins another.
      const code = (error as { code?: unknown }).code;
      if (!request.signal?.aborted && (code === 'ERR_INFERLINE_ABORTED' || code === 'ERR_INFERLINE_TIMEOUT')) continue;
      request.stats.failure++;
      throw error;
    }
    if (postprocess === undefined) {
      request.stats.success++;
      return outputs;
    }
    try {
      const value = await postprocess(outputs);
      request.stats.success++;
      return value;
    } catch (error) {
      request.stats.failure++;
      throw error;
    }
  }
}
