// Snapshots: what one cache saves another of the same model and version loads, hitting with the
// same outputs, in the same recency order, with TTLs started afresh; a snapshot of another model
// or version, a file that is not a snapshot, or one that cannot be read is refused with its own
// code, loading nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, unpack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/cache/result-cache.js';
import { Tensor } from '../../src/index.js';
import { expectRejects } from '../helpers/expect-error.js';
import { randomData } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kDir = mkdtempSync(join(tmpdir(), 'inferline-cache-snapshot-'));
afterAll(() => rmSync(kDir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(kDir, `snapshot-${++files}.msgpack`);

const kIdentity = { model: 'det', version: '3' };

/** Requests of several dtypes, and what each "computes". */
function requests(): Array<{ feeds: Record<string, Tensor>; outputs: Record<string, Tensor> }> {
  return [
    { feeds: { x: new Tensor('float32', randomData('float32', 12, 1), [3, 4]) }, outputs: { y: new Tensor('float32', randomData('float32', 4, 2), [1, 4]) } },
    {
      feeds: { ids: new Tensor('int64', randomData('int64', 5, 3), [1, 5]), mask: new Tensor('bool', randomData('bool', 5, 4), [1, 5]) },
      outputs: { logits: new Tensor('float16', randomData('float16', 6, 5), [2, 3]), labels: new Tensor('string', ['a', 'é€', ''], [3]) },
    },
    { feeds: { text: new Tensor('string', ['hello', 'wörld'], [2]) }, outputs: { n: new Tensor('uint64', randomData('uint64', 2, 6), [2]) } },
    { feeds: { empty: new Tensor('float64', new Float64Array(0), [0, 3]) }, outputs: { z: new Tensor('int8', randomData('int8', 3, 7), [3]) } },
  ];
}

async function filled(clock?: () => number, ttlMs?: number): Promise<ResultCache> {
  const cache = new ResultCache({ maxBytes: 1 << 20, ...(ttlMs === undefined ? {} : { ttlMs }) }, kIdentity, clock);
  for (const { feeds, outputs } of requests()) await cache.run(feeds, async () => outputs);
  return cache;
}

describe('saveSnapshot / loadSnapshot', () => {
  it('round trip: every entry hits with the same outputs, bit for bit', async () => {
    const path = freshPath();
    const source = await filled();
    await source.saveSnapshot(path);
    const target = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    expect(await target.loadSnapshot(path)).toBe(requests().length);
    expect(target.stats()).toMatchObject({ entries: source.stats().entries, bytes: source.stats().bytes });
    for (const [index, { feeds, outputs }] of requests().entries()) {
      const found = target.lookup(feeds);
      if (!found.hit) expect.fail(`request ${index} must hit after loading`);
      expect(Object.keys(found.outputs)).toEqual(Object.keys(outputs));
      for (const name of Object.keys(outputs)) expectSameTensor(found.outputs[name]!, outputs[name]!, `request ${index} output ${name}`);
    }
  });

  it('keeps recency order: the least recently used before saving is evicted first after loading', async () => {
    const path = freshPath();
    const source = await filled();
    const all = requests();
    source.lookup(all[0]!.feeds); // request 0 is now the most recently used; 1 the least
    await source.saveSnapshot(path);
    const entryBytes = source.stats().bytes;
    const target = new ResultCache({ maxBytes: entryBytes }, kIdentity);
    await target.loadSnapshot(path);
    const found = target.lookup({ other: new Tensor('uint8', new Uint8Array(1), [1]) });
    if (found.hit) expect.fail('must miss');
    target.insert(found.miss, { y: new Tensor('uint8', new Uint8Array(1), [1]) });
    expect(target.lookup(all[1]!.feeds).hit).toBe(false);
    expect(target.lookup(all[0]!.feeds).hit).toBe(true);
  });

  it('TTLs restart when loaded; entries already expired are not saved', async () => {
    let now = 0;
    const source = await filled(() => now, 1000);
    now = 900;
    const late = { late: new Tensor('int32', Int32Array.of(1), [1]) };
    await source.run(late, async () => late);
    now = 1200; // the four first entries expired at 1000; the late one lives until 1900
    const path = freshPath();
    await source.saveSnapshot(path);
    let later = 50_000;
    const target = new ResultCache({ maxBytes: 1 << 20, ttlMs: 1000 }, kIdentity, () => later);
    expect(await target.loadSnapshot(path)).toBe(1);
    later = 50_999;
    expect(target.lookup(late).hit).toBe(true);
    later = 51_000;
    expect(target.lookup(late).hit).toBe(false);
  });

  it('a cache smaller than the snapshot keeps the most recent entries and says how many', async () => {
    const path = freshPath();
    const source = await filled();
    await source.saveSnapshot(path);
    const target = new ResultCache({ maxBytes: source.stats().bytes - 1 }, kIdentity);
    const held = await target.loadSnapshot(path);
    expect(held).toBe(target.stats().entries);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(requests().length);
    expect(target.lookup(requests().at(-1)!.feeds).hit).toBe(true);
  });

  it('writes the model and version in the header, atomically (no temporary file left)', async () => {
    const path = freshPath();
    await (await filled()).saveSnapshot(path);
    const decoded = unpack(readFileSync(path)) as Record<string, unknown>;
    expect(decoded).toMatchObject({ format: 'inferline-result-cache', formatVersion: 1, model: 'det', version: '3' });
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(kDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('refusals', () => {
  it('another version or model: ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH, nothing loaded', async () => {
    const path = freshPath();
    await (await filled()).saveSnapshot(path);
    for (const identity of [{ model: 'det', version: '4' }, { model: 'rec', version: '3' }]) {
      const target = new ResultCache({ maxBytes: 1 << 20 }, identity);
      await expectRejects(() => target.loadSnapshot(path), {
        code: 'ERR_INFERLINE_CACHE_SNAPSHOT_MISMATCH',
        kind: 'InferlineError',
        includes: [path, 'model "det" version "3"', `model "${identity.model}" version "${identity.version}"`, 'not loaded'],
      });
      expect(target.stats().entries).toBe(0);
    }
  });

  it('a file that is not a usable snapshot: ERR_INFERLINE_CACHE_SNAPSHOT_INVALID, nothing loaded', async () => {
    const good = freshPath();
    await (await filled()).saveSnapshot(good);
    const decoded = unpack(readFileSync(good)) as Record<string, unknown> & { entries: unknown[][] };
    const badEntry = structuredClone(decoded);
    (badEntry.entries[1]![3] as Uint8Array[])[0] = new Uint8Array(3); // int64 [1,5] needs 40 bytes
    const cases: Array<[string, Uint8Array, string]> = [
      ['random bytes', Uint8Array.of(0xc1, 0xc1, 0xc1), 'does not decode as msgpack'],
      ['msgpack of something else', pack({ hello: 'world' }), 'no "inferline-result-cache" header'],
      ['a newer format', pack({ ...decoded, formatVersion: 2 }), 'format version is 2'],
      ['a truncated file', readFileSync(good).subarray(0, 40), 'not a usable result-cache snapshot'],
      ['an entry whose bytes do not fit its shape', pack(badEntry), 'entry 1: input "ids" has 3 bytes'],
    ];
    for (const [what, bytes, words] of cases) {
      const path = freshPath();
      writeFileSync(path, bytes);
      const target = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
      await expectRejects(() => target.loadSnapshot(path), { code: 'ERR_INFERLINE_CACHE_SNAPSHOT_INVALID', kind: 'InferlineError', includes: [path, words] });
      expect(target.stats().entries, what).toBe(0);
    }
  });

  it('a file that cannot be read or written: ERR_INFERLINE_CACHE_SNAPSHOT_IO with the system error as cause', async () => {
    const cache = await filled();
    const missing = join(kDir, 'no-such-file.msgpack');
    const error = await expectRejects(() => cache.loadSnapshot(missing), { code: 'ERR_INFERLINE_CACHE_SNAPSHOT_IO', kind: 'InferlineError', includes: ['could not read the snapshot', missing] });
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    const unwritable = join(kDir, 'no-such-dir', 'snapshot.msgpack');
    const writeError = await expectRejects(() => cache.saveSnapshot(unwritable), { code: 'ERR_INFERLINE_CACHE_SNAPSHOT_IO', kind: 'InferlineError', includes: ['could not write the snapshot', unwritable] });
    expect((writeError.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a path that is not a string: ERR_INFERLINE_INVALID_ARG', async () => {
    const cache = await filled();
    await expectRejects(() => cache.saveSnapshot(42 as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['saveSnapshot: path must be a non-empty string', 'number 42'] });
    await expectRejects(() => cache.loadSnapshot('' as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['loadSnapshot: path must be a non-empty string'] });
  });
});
