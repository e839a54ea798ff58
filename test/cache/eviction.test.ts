// LRU by bytes and TTL: the cache holds at most maxBytes of inputs and outputs, evicting the
// least recently used first; an entry larger than maxBytes is not stored; entries expire ttlMs
// after they are stored, checked at lookup and dropped when later entries are stored. Time is a
// clock the test moves by hand: nothing here waits or measures.
import { describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/cache/result-cache.js';
import { Tensor } from '../../src/index.js';

const kIdentity = { model: 'm', version: '1' };

/** Feeds of exactly 64 input bytes, distinct for each `id`. */
const feedsOf = (id: number): Record<string, Tensor> => ({ x: new Tensor('float64', Float64Array.from({ length: 8 }, (_, i) => id * 100 + i), [8]) });
/** Outputs of exactly 36 bytes: an entry is 100 bytes. */
const outputsOf = (id: number): Record<string, Tensor> => ({ y: new Tensor('int32', Int32Array.from({ length: 9 }, () => id), [9]) });
const kEntryBytes = 100;

function store(cache: ResultCache, id: number): boolean {
  const found = cache.lookup(feedsOf(id));
  if (found.hit) return true;
  return cache.insert(found.miss, outputsOf(id));
}

const has = (cache: ResultCache, id: number): boolean => {
  const found = cache.lookup(feedsOf(id));
  if (found.hit) expect((found.outputs.y!.data as Int32Array)[0]).toBe(id);
  return found.hit;
};

describe('LRU by bytes', () => {
  it('counts input and output bytes, and evicts the least recently used first', () => {
    const cache = new ResultCache({ maxBytes: 3 * kEntryBytes }, kIdentity);
    for (const id of [1, 2, 3]) expect(store(cache, id)).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 3 * kEntryBytes, evictions: 0 });
    expect(has(cache, 1)).toBe(true); // 1 is now the most recently used; 2 the least
    store(cache, 4);
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 3 * kEntryBytes, evictions: 1 });
    expect(has(cache, 2)).toBe(false);
    expect(has(cache, 3)).toBe(true);
    expect(has(cache, 1)).toBe(true);
    expect(has(cache, 4)).toBe(true);
  });

  it('evicts as many as it takes for a larger entry', () => {
    const cache = new ResultCache({ maxBytes: 4 * kEntryBytes }, kIdentity);
    for (const id of [1, 2, 3, 4]) store(cache, id);
    const found = cache.lookup({ x: new Tensor('float64', new Float64Array(30), [30]) }); // 240 bytes
    if (found.hit) expect.fail('must miss');
    expect(cache.insert(found.miss, outputsOf(9))).toBe(true); // 276 bytes: 3 must go
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 276 + kEntryBytes, evictions: 3 });
    expect(has(cache, 4)).toBe(true);
    expect(has(cache, 1)).toBe(false);
  });

  it('does not store an entry larger than maxBytes, and evicts nothing for it', async () => {
    const cache = new ResultCache({ maxBytes: 2 * kEntryBytes }, kIdentity);
    store(cache, 1);
    const big = { x: new Tensor('float64', new Float64Array(100), [100]) };
    let calls = 0;
    const compute = async () => {
      calls++;
      return outputsOf(2);
    };
    await cache.run(big, compute);
    await cache.run(big, compute);
    expect(calls).toBe(2);
    expect(cache.stats()).toMatchObject({ entries: 1, evictions: 0, bytes: kEntryBytes });
    expect(has(cache, 1)).toBe(true);
    // Small inputs with an output too large: also not stored.
    const found = cache.lookup(feedsOf(3));
    if (found.hit) expect.fail('must miss');
    expect(cache.insert(found.miss, { y: new Tensor('uint8', new Uint8Array(2 * kEntryBytes), [2 * kEntryBytes]) })).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 1, evictions: 0 });
  });

  it('storing the same request again replaces its entry, bytes counted once', () => {
    const cache = new ResultCache({ maxBytes: 10 * kEntryBytes }, kIdentity);
    store(cache, 1);
    const a = cache.lookup(feedsOf(5));
    const b = cache.lookup(feedsOf(5)); // two callers missed the same request
    if (a.hit || b.hit) expect.fail('must miss');
    expect(cache.insert(a.miss, outputsOf(5))).toBe(true);
    expect(cache.insert(b.miss, outputsOf(6))).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 2 * kEntryBytes, evictions: 0 });
    const found = cache.lookup(feedsOf(5));
    expect(found.hit && found.outputs.y!.data[0]).toBe(6);
  });
});

describe('TTL', () => {
  it('an entry hits until ttlMs after it was stored, then misses; a hit does not extend it', () => {
    let now = 1000;
    const cache = new ResultCache({ maxBytes: 10 * kEntryBytes, ttlMs: 100 }, kIdentity, () => now);
    store(cache, 1);
    now = 1050;
    expect(has(cache, 1)).toBe(true);
    now = 1099;
    expect(has(cache, 1)).toBe(true);
    now = 1100;
    expect(has(cache, 1)).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, expirations: 1, hits: 2 });
  });

  it('expired entries are dropped when others are stored, even if never looked up again', () => {
    let now = 0;
    const cache = new ResultCache({ maxBytes: 10 * kEntryBytes, ttlMs: 100 }, kIdentity, () => now);
    store(cache, 1);
    now = 30;
    store(cache, 2);
    now = 60;
    store(cache, 3);
    expect(has(cache, 1)).toBe(true); // recently used, but still the oldest stored
    now = 135;
    store(cache, 4);
    // 1 (expired at 100) and 2 (at 130) went; 3 (at 160) stays.
    expect(cache.stats()).toMatchObject({ entries: 2, expirations: 2, evictions: 0, bytes: 2 * kEntryBytes });
    expect(has(cache, 3)).toBe(true);
  });

  it('expired entries make room before live ones are evicted', () => {
    let now = 0;
    const cache = new ResultCache({ maxBytes: 2 * kEntryBytes, ttlMs: 100 }, kIdentity, () => now);
    store(cache, 1);
    now = 60;
    store(cache, 2);
    expect(has(cache, 1)).toBe(true); // LRU order is now 2, 1; expiry order 1, 2
    now = 110;
    store(cache, 3);
    expect(cache.stats()).toMatchObject({ evictions: 0, expirations: 1 });
    expect(has(cache, 2)).toBe(true);
  });

  it('without ttlMs entries never expire', () => {
    let now = 0;
    const cache = new ResultCache({ maxBytes: 10 * kEntryBytes }, kIdentity, () => now);
    store(cache, 1);
    now = Number.MAX_SAFE_INTEGER;
    expect(has(cache, 1)).toBe(true);
  });
});
