/**
 * The result cache's entries: a Map by key, least recently used evicted first when the bytes
 * would pass maxBytes, and a TTL checked lazily (on lookup, and on every store for the oldest).
 */
import type { DType } from '../tensor/dtype.js';
import { LinkedList, ListNode } from './linked-list.js';
import type { StoredOutputs } from './stored-outputs.js';

/** What a new entry holds; the store takes ownership of the arrays. */
export interface EntryParts {
  /** The request's key (RequestKey.key). */
  readonly key: string;
  /** Input names, sorted; dtypes and shapes in the same order. */
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
  /** The cache's own copies: a request's shape arrays belong to its caller. */
  readonly shapes: readonly (readonly number[])[];
  /** Private copies of the input bytes, compared in full on every hit. */
  readonly inputs: readonly Uint8Array[];
  /** The cache's private copies of the outputs. */
  readonly outputs: StoredOutputs;
}

/** One stored result (fields as in EntryParts). */
export class CacheEntry implements EntryParts {
  readonly key: string;
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
  readonly shapes: readonly (readonly number[])[];
  readonly inputs: readonly Uint8Array[];
  readonly outputs: StoredOutputs;
  /** Input plus output bytes: what the entry counts against maxBytes. */
  readonly bytes: number;
  /** Clock time from which the entry is stale; Infinity without ttlMs. */
  readonly expiresAt: number;
  /** Place in recency order. */
  readonly lru = new ListNode<CacheEntry>(this);
  /** Place in storing order, which is expiry order since every entry has the same ttlMs. */
  readonly age = new ListNode<CacheEntry>(this);

  constructor(parts: EntryParts, bytes: number, expiresAt: number) {
    this.key = parts.key;
    this.names = parts.names;
    this.dtypes = parts.dtypes;
    this.shapes = parts.shapes;
    this.inputs = parts.inputs;
    this.outputs = parts.outputs;
    this.bytes = bytes;
    this.expiresAt = expiresAt;
  }
}

export class EntryStore {
  /** Most bytes the entries may hold together. */
  readonly maxBytes: number;
  /** Milliseconds an entry lives; Infinity for no limit. */
  readonly #ttlMs: number;
  /** Milliseconds, monotonic. */
  readonly #clock: () => number;
  /** Every entry, by key. */
  readonly #entries = new Map<string, CacheEntry>();
  /** Entries from least to most recently used. */
  readonly #lru = new LinkedList<CacheEntry>();
  /** Entries from oldest to newest stored, which is expiry order; used only with a ttlMs. */
  readonly #age = new LinkedList<CacheEntry>();
  /** Sum of the entries' bytes. */
  bytes = 0;
  /** Entries dropped to make room. */
  evictions = 0;
  /** Entries dropped because their TTL passed. */
  expirations = 0;

  constructor(maxBytes: number, ttlMs: number, clock: () => number) {
    this.maxBytes = maxBytes;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entry under `key` if it has not expired (an expired one is dropped); recency unchanged. */
  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt === Infinity || entry.expiresAt > this.#clock()) return entry;
    this.#remove(entry);
    this.expirations++;
    return undefined;
  }

  /** Makes `entry` the most recently used. */
  touch(entry: CacheEntry): void {
    this.#lru.moveToEnd(entry.lru);
  }

  /** Whether `entry` is still stored. */
  holds(entry: CacheEntry): boolean {
    return this.#entries.get(entry.key) === entry;
  }

  /**
   * Stores a result whose inputs have `inputBytes` bytes, replacing any entry under the same key
   * and evicting least recently used ones to make room. An entry larger than maxBytes on its own
   * is not stored: returns undefined.
   */
  store(parts: EntryParts, inputBytes: number): CacheEntry | undefined {
    const bytes = inputBytes + parts.outputs.bytes;
    if (bytes > this.maxBytes) return undefined;
    const existing = this.#entries.get(parts.key);
    // A newer result for the same request, or for one whose digest collides: the newer one wins.
    if (existing !== undefined) this.#remove(existing);
    let expiresAt = Infinity;
    if (this.#ttlMs !== Infinity) {
      const now = this.#clock();
      expiresAt = now + this.#ttlMs;
      for (let oldest = this.#age.first; oldest !== undefined && oldest.expiresAt <= now; oldest = this.#age.first) {
        this.#remove(oldest);
        this.expirations++;
      }
    }
    while (this.bytes + bytes > this.maxBytes) {
      this.#remove(this.#lru.first!);
      this.evictions++;
    }
    const entry = new CacheEntry(parts, bytes, expiresAt);
    this.#entries.set(entry.key, entry);
    this.#lru.push(entry.lru);
    if (expiresAt !== Infinity) this.#age.push(entry.age);
    this.bytes += bytes;
    return entry;
  }

  /** Live entries, least recently used first. */
  *live(): IterableIterator<CacheEntry> {
    const now = this.#ttlMs === Infinity ? -Infinity : this.#clock();
    for (const entry of this.#lru.values()) if (!(entry.expiresAt <= now)) yield entry;
  }

  clear(): void {
    this.#entries.clear();
    this.#lru.clear();
    this.#age.clear();
    this.bytes = 0;
  }

  #remove(entry: CacheEntry): void {
    this.#entries.delete(entry.key);
    this.#lru.remove(entry.lru);
    this.#age.remove(entry.age);
    this.bytes -= entry.bytes;
  }
}
