/**
 * A model's result cache (Triton's response cache, in-process): outputs stored under a key of
 * every input's name, dtype, shape and bytes, LRU by bytes, with an optional TTL, and
 * single-flight for identical requests in flight at once.
 */
import { copyError, errors } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';
import { type CacheIdentity, type ResultCacheOptions, checkIdentity, resolveCacheOptions } from './cache-options.js';
import { readSnapshot, type SnapshotEntry, writeSnapshot } from './cache-snapshot.js';
import { type CacheEntry, EntryStore } from './entry-store.js';
import { seedOf } from './hash128.js';
import { type FlightEnd, InFlight } from './in-flight.js';
import { copyInputs, copyShapes, keyOf, type RequestKey, requestKey, sameRequest } from './request-key.js';
import { StoredOutputs } from './stored-outputs.js';
import { isHandedOver, kResetCacheCounts } from './internal.js';

export type { ResultCacheOptions } from './cache-options.js';

/** Counts since the cache was made (clear() empties the cache, not the counts). */
export interface ResultCacheStats {
  /** Lookups answered from the cache. */
  hits: number;
  /** Lookups not answered: run() computed them (or lookup() returned a miss). */
  misses: number;
  /** run() calls that waited for an identical request's computation instead of their own. */
  coalesced: number;
  /** Entries dropped to make room (least recently used first). */
  evictions: number;
  /** Entries dropped because their ttlMs had passed. */
  expirations: number;
  /** Entries held now. */
  entries: number;
  /** Bytes of stored inputs and outputs held now. */
  bytes: number;
  maxBytes: number;
  /** Distinct computations run() is waiting on now. */
  inflight: number;
}

/** What lookup() found: the outputs (fresh copies), or a miss to pass to insert(). */
export type CacheLookup = { readonly hit: true; readonly outputs: Record<string, Tensor> } | { readonly hit: false; readonly miss: CacheMiss };

const kRequest = Symbol('inferline.cache.request');
const kGeneration = Symbol('inferline.cache.generation');
const kOwner = Symbol('inferline.cache.owner');

/** A lookup that missed: hand it to insert() with the outputs computed for that request. */
export interface CacheMiss {
  readonly [kRequest]: RequestKey;
  /** The cache's generation at lookup: a miss from before clear() is not stored after it. */
  readonly [kGeneration]: number;
  readonly [kOwner]: ResultCache;
}

/**
 * A result cache for one model version.
 *
 * @example
 * const cache = new ResultCache({ maxBytes: 64 << 20, ttlMs: 60_000 }, { model: 'mlp', version: '1' });
 * const outputs = await cache.run(feeds, () => session.run(feeds));
 * cache.stats(); // { hits, misses, evictions, bytes, entries, ... }
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad options or identity;
 * ERR_INFERLINE_ADDON_LOAD when the native addon (which hashes the inputs) cannot be loaded.
 */
export class ResultCache {
  /** Whose results these are: written into snapshots and checked when one is loaded. */
  readonly #identity: CacheIdentity;
  /** Names the cache in messages: `Model "m" cache`. */
  readonly #what: string;
  /** From the identity: digests of one model's requests never equal another's. */
  readonly #seed: number;
  /** The entries, their LRU and TTL bookkeeping. */
  readonly #store: EntryStore;
  /** Computations run() waits on, which identical requests join. */
  readonly #inflight = new InFlight();
  /** Bumped by clear(): results computed before it are not stored after it. */
  #generation = 0;
  /** Counts for stats(); see ResultCacheStats. */
  #hits = 0;
  #misses = 0;
  #coalesced = 0;

  /**
   * @param clock current time in milliseconds (default `performance.now`), for TTLs.
   */
  constructor(options: ResultCacheOptions, identity: CacheIdentity, clock: () => number = () => performance.now()) {
    const checked = checkIdentity(identity, 'ResultCache');
    this.#what = `Model "${checked.model}" cache`;
    const resolved = resolveCacheOptions(options, this.#what);
    if (typeof clock !== 'function') throw errors.invalidArg(`${this.#what}: clock must be a function, received ${describe(clock)}`);
    this.#identity = checked;
    this.#seed = seedOf(`${checked.model}\0${checked.version}`);
    this.#store = new EntryStore(resolved.maxBytes, resolved.ttlMs, clock);
  }

  /**
   * Looks `feeds` (input name → Tensor) up. A hit returns fresh copies of the stored outputs; a
   * miss returns a handle for insert() once the outputs are computed.
   *
   * @example
   * const found = cache.lookup(feeds);
   * const outputs = found.hit ? found.outputs : await compute();
   * if (!found.hit) cache.insert(found.miss, outputs);
   * @throws ERR_INFERLINE_INVALID_ARG when feeds is not an object of Tensors;
   * ERR_INFERLINE_DETACHED_BUFFER when an input's buffer was transferred away.
   */
  lookup(feeds: Readonly<Record<string, Tensor>>): CacheLookup {
    const request = requestKey(feeds, this.#seed, this.#what);
    const entry = this.#find(request);
    if (entry !== undefined) {
      this.#hits++;
      return { hit: true, outputs: entry.outputs.copy() };
    }
    this.#misses++;
    return { hit: false, miss: { [kRequest]: request, [kGeneration]: this.#generation, [kOwner]: this } };
  }

  /**
   * Stores `outputs` for the request that missed. The inputs' bytes are copied now, the outputs
   * too: neither the caller's buffers nor later writes to them reach the cache. Not stored when
   * the entry alone exceeds maxBytes, or when clear() ran since the lookup.
   *
   * @returns whether the result was stored.
   * @throws ERR_INFERLINE_INVALID_ARG for a miss of another cache or outputs that are not Tensors.
   */
  insert(miss: CacheMiss, outputs: Readonly<Record<string, Tensor>>): boolean {
    if (typeof miss !== 'object' || miss === null || miss[kOwner] !== this) {
      throw errors.invalidArg(`${this.#what} insert: miss must be the miss this cache's lookup() returned, received ${describe(miss)}`);
    }
    const stored = StoredOutputs.copyOf(outputs, `${this.#what} insert`);
    if (miss[kGeneration] !== this.#generation) return false;
    const request = miss[kRequest];
    return this.#keep(request, copyShapes(request), copyInputs(request), stored) !== undefined;
  }

  /**
   * The outputs for `feeds`: from the cache, else from `compute()`, which runs once for any
   * number of identical requests made while it runs. All of them get its outputs (the first
   * caller its own objects, the others fresh copies), or all reject with its error (the first
   * caller the error itself, the others copies with it as `cause`), and a failure stores nothing.
   *
   * @example
   * const { y } = await cache.run({ x }, () => session.run({ x }));
   * @throws (rejects) what lookup() throws; ERR_INFERLINE_INVALID_ARG when compute is not a
   * function or does not resolve to Tensors; whatever compute rejects with.
   */
  async run(feeds: Readonly<Record<string, Tensor>>, compute: () => Promise<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    if (typeof compute !== 'function') throw errors.invalidArg(`${this.#what} run: compute must be a function, received ${describe(compute)}`);
    const request = requestKey(feeds, this.#seed, this.#what);
    const entry = this.#find(request);
    if (entry !== undefined) {
      this.#hits++;
      return entry.outputs.copy();
    }
    const joined = this.#inflight.join(request);
    if (joined !== undefined) {
      this.#coalesced++;
      let stored: StoredOutputs;
      try {
        stored = await joined;
      } catch (error) {
        throw copyError(error);
      }
      return stored.copy();
    }
    this.#misses++;
    return this.#lead(request, compute);
  }

  /** Runs compute for a request that missed; identical requests made meanwhile join it. */
  async #lead(request: RequestKey, compute: () => Promise<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
    // The request is copied now, not after compute: what is stored is exactly what was hashed,
    // whatever the caller does with its tensors meanwhile. Inputs larger than the cache can never
    // be stored: no copy, and no flight to join (joiners are compared with the copy).
    const inputs = request.inputBytes <= this.#store.maxBytes ? copyInputs(request) : undefined;
    const shapes = copyShapes(request);
    const generation = this.#generation;
    // Another request in flight under the same key (a digest collision) keeps it: this one runs alone.
    const joinable = inputs !== undefined && !this.#inflight.has(request.key);
    const flight: FlightEnd | undefined = joinable ? this.#inflight.start(request, shapes, inputs) : undefined;
    let outputs: Record<string, Tensor>;
    let stored: StoredOutputs;
    try {
      outputs = await compute();
      // The cache's copy is made before anyone, the leader included, can touch the outputs;
      // outputs handed over to the cache are its own already.
      stored = isHandedOver(outputs) ? StoredOutputs.keep(outputs, `${this.#what} run`) : StoredOutputs.copyOf(outputs, `${this.#what} run`);
    } catch (error) {
      flight?.reject(error);
      throw error;
    }
    if (inputs !== undefined && generation === this.#generation) this.#keep(request, shapes, inputs, stored);
    flight?.resolve(stored);
    return outputs;
  }

  /** The live entry for `request`, made most recently used; undefined on a miss. */
  #find(request: RequestKey): CacheEntry | undefined {
    const entry = this.#store.get(request.key);
    // Equal keys mean equal digests; only an equal request in full makes a hit, so a collision
    // costs a miss, never another request's outputs.
    if (entry === undefined || !sameRequest(entry, request)) return undefined;
    this.#store.touch(entry);
    return entry;
  }

  /** Stores a result with private copies of its request; undefined when it is too large to keep. */
  #keep(request: RequestKey, shapes: number[][], inputs: Uint8Array[], outputs: StoredOutputs): CacheEntry | undefined {
    return this.#store.store({ key: request.key, names: request.names, dtypes: request.dtypes, shapes, inputs, outputs }, request.inputBytes);
  }

  /** @internal Zeroes the counts of stats() (entries and bytes stay): warmup is not traffic. */
  [kResetCacheCounts](): void {
    this.#hits = 0;
    this.#misses = 0;
    this.#coalesced = 0;
    this.#store.evictions = 0;
    this.#store.expirations = 0;
  }

  /**
   * Drops every entry (on a model reload or unload). Computations in flight still answer their
   * callers, but their results are not stored, and new requests do not join them.
   */
  clear(): void {
    this.#store.clear();
    this.#inflight.clear();
    this.#generation++;
  }

  /** Counts since the cache was made, and what it holds now. */
  stats(): ResultCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      evictions: this.#store.evictions,
      expirations: this.#store.expirations,
      entries: this.#store.size,
      bytes: this.#store.bytes,
      maxBytes: this.#store.maxBytes,
      inflight: this.#inflight.size,
    };
  }

  /**
   * Writes the live entries to `path` (msgpack; replaced atomically), least recently used first.
   *
   * @example
   * await cache.saveSnapshot('/var/cache/mlp-1.msgpack');
   * @throws (rejects) ERR_INFERLINE_INVALID_ARG for a bad path; ERR_INFERLINE_CACHE_SNAPSHOT_IO
   * when the file cannot be written.
   */
  async saveSnapshot(path: string): Promise<void> {
    if (typeof path !== 'string' || path === '') throw errors.invalidArg(`${this.#what} saveSnapshot: path must be a non-empty string, received ${describe(path)}`);
    const entries: SnapshotEntry[] = [];
    for (const entry of this.#store.live()) {
      const shapes = entry.shapes.map((shape) => [...shape]);
      entries.push({ names: [...entry.names], dtypes: [...entry.dtypes], shapes, inputs: [...entry.inputs], outputs: entry.outputs.toSnapshot() });
    }
    // Everything above ran synchronously: the snapshot is of one moment, whatever runs meanwhile.
    await writeSnapshot(path, this.#identity, entries, `${this.#what} saveSnapshot`);
  }

  /**
   * Adds the entries of a snapshot written by saveSnapshot() for the same model and version, as
   * if just stored (their TTLs start now); maxBytes applies as usual. Entries are checked first:
   * a bad file adds nothing.
   *
   * @returns how many of the snapshot's entries the cache holds afterwards.
   * @example
   * await cache.loadSnapshot('/var/cache/mlp-1.msgpack').catch((error) => {
   *   if (error.code !== 'ERR_INFERLINE_CACHE_SNAPSHOT_IO') throw error; // none yet: start cold
   * });
   * @throws (rejects) ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH for another model's or version's
   * snapshot; ERR_INFERLINE_CACHE_SNAPSHOT_INVALID for a file that is not a usable snapshot;
   * ERR_INFERLINE_CACHE_SNAPSHOT_IO when it cannot be read; ERR_INFERLINE_INVALID_ARG for a bad path.
   */
  async loadSnapshot(path: string): Promise<number> {
    if (typeof path !== 'string' || path === '') throw errors.invalidArg(`${this.#what} loadSnapshot: path must be a non-empty string, received ${describe(path)}`);
    const generation = this.#generation;
    const loaded = await readSnapshot(path, this.#identity, `${this.#what} loadSnapshot`);
    if (generation !== this.#generation) return 0; // cleared while reading: the model changed
    const added: CacheEntry[] = [];
    for (const item of loaded) {
      const key = keyOf(item.names, item.dtypes, item.shapes, item.inputs, this.#seed);
      const outputs = StoredOutputs.adopt(item.outputNames, item.outputDtypes, item.outputShapes, item.outputDatas);
      let inputBytes = 0;
      for (const bytes of item.inputs) inputBytes += bytes.byteLength;
      const entry = this.#store.store({ key, names: item.names, dtypes: item.dtypes, shapes: item.shapes, inputs: item.inputs, outputs }, inputBytes);
      if (entry !== undefined) added.push(entry);
    }
    // Later entries of a snapshot larger than maxBytes evict earlier ones: count what stayed.
    return added.filter((entry) => this.#store.holds(entry)).length;
  }
}
