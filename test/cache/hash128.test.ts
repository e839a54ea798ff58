// The addon's 128-bit hash (native/cache/hash128.h): a digest depends on the bytes alone, not on
// the view they are read through; any change of a bit or of the length changes it; and the
// binding refuses anything that is not bytes with a coded TypeError instead of crashing.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { hash128Hex, hash128ListHex } from '../../src/cache/hash128.js';
import { nativeHash } from '../../src/native.js';
import { expectThrows } from '../helpers/expect-error.js';
import { randomData } from '../helpers/random-data.js';

const bytesOf = (seed: number, count: number): Uint8Array => randomData('uint8', count, seed) as Uint8Array;

/** `bytes` copied into a larger buffer at `offset`, as a view of exactly those bytes. */
function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const backing = new Uint8Array(offset + bytes.length + 5).fill(0xa5);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

describe('hash128: the digest is of the bytes', () => {
  it('is the same through every kind of view, at any offset', () => {
    const bytes = bytesOf(1, 1000); // 31 stripes of 32 bytes, then a tail of one word
    const expected = hash128Hex(bytes);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
    for (const offset of [1, 3, 7, 8, 13, 32]) {
      const view = atOffset(bytes, offset);
      expect(hash128Hex(view), `Uint8Array at offset ${offset}`).toBe(expected);
      expect(hash128Hex(new DataView(view.buffer, view.byteOffset, view.byteLength)), `DataView at ${offset}`).toBe(expected);
      expect(hash128Hex(Buffer.from(view.buffer, view.byteOffset, view.byteLength)), `Buffer at ${offset}`).toBe(expected);
      if (offset % 4 === 0) expect(hash128Hex(new Float32Array(view.buffer, view.byteOffset, 250)), `Float32Array at ${offset}`).toBe(expected);
      if (offset % 8 === 0) expect(hash128Hex(new BigInt64Array(view.buffer, view.byteOffset, 125)), `BigInt64Array at ${offset}`).toBe(expected);
    }
    expect(hash128Hex(bytes.slice().buffer), 'ArrayBuffer').toBe(expected);
    const shared = new Uint8Array(new SharedArrayBuffer(1000));
    shared.set(bytes);
    expect(hash128Hex(shared), 'Uint8Array over a SharedArrayBuffer').toBe(expected);
  });

  it('has a fixed value for fixed bytes (keys do not change between runs or machines)', () => {
    expect(hash128Hex(new Uint8Array(0))).toBe(hash128Hex(new ArrayBuffer(0)));
    const counting = Uint8Array.from({ length: 100 }, (_, i) => i);
    // Known answers of this build's algorithm: a change here changes every cache key.
    expect(hash128Hex(new Uint8Array(0))).toBe(kEmptyDigest);
    expect(hash128Hex(counting)).toBe(kCountingDigest);
    expect(hash128Hex(counting, 42)).toBe(kCountingSeed42Digest);
  });

  it('changes when any single bit changes', () => {
    const bytes = bytesOf(2, 100);
    const seen = new Set([hash128Hex(bytes)]);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      seen.add(hash128Hex(bytes));
      bytes[bit >> 3]! ^= 1 << (bit & 7);
    }
    expect(seen.size).toBe(1 + 800);
  });

  it('changes with the length, even when the extra bytes are zeros', () => {
    const zeros = new Uint8Array(80);
    const digests = new Set(Array.from({ length: 81 }, (_, length) => hash128Hex(zeros.subarray(0, length))));
    expect(digests.size).toBe(81);
  });

  it('changes with the seed', () => {
    const bytes = bytesOf(3, 64);
    expect(hash128Hex(bytes, 1)).not.toBe(hash128Hex(bytes, 0));
    expect(hash128Hex(bytes, 2 ** 53 - 1)).not.toBe(hash128Hex(bytes, 2 ** 53 - 2));
    expect(hash128Hex(bytes, undefined)).toBe(hash128Hex(bytes, 0));
  });

  it('gives distinct digests to 100k consecutive counters', () => {
    const word = new BigUint64Array(1);
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      word[0] = BigInt(i);
      seen.add(hash128Hex(word));
    }
    expect(seen.size).toBe(100_000);
  });

  it('writes into a Uint32Array or a BigUint64Array, the same 128 bits', () => {
    const bytes = bytesOf(4, 33);
    const words = new Uint32Array(4);
    const halves = new BigUint64Array(2);
    nativeHash().hash128(bytes, words);
    nativeHash().hash128(bytes, halves);
    expect(Buffer.from(words.buffer).equals(Buffer.from(halves.buffer))).toBe(true);
    expect(halves[0]!.toString(16).padStart(16, '0') + halves[1]!.toString(16).padStart(16, '0')).toBe(hash128Hex(bytes));
  });
});

describe('hash128 in a worker thread', () => {
  it('gives the same digest there (the worker loads the addon again)', async () => {
    const root = join(import.meta.dirname, '..', '..');
    // Plain CommonJS in the worker: the addon itself, no TypeScript and no dist/ needed.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require('node-gyp-build')(workerData.root);
      const out = new BigUint64Array(2);
      addon.hash128(Uint8Array.from({ length: 100 }, (_, i) => i), out);
      parentPort.postMessage(out[0].toString(16).padStart(16, '0') + out[1].toString(16).padStart(16, '0'));
    `;
    const worker = new Worker(source, { eval: true, workerData: { root } });
    const digest = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(digest).toBe(kCountingDigest);
  });
});

describe('hash128List: one digest for all of a request\'s inputs', () => {
  it('depends on the bytes of each item, not on their views', () => {
    const a = bytesOf(5, 300);
    const b = bytesOf(6, 17);
    expect(hash128ListHex([atOffset(a, 3), new DataView(b.slice().buffer)])).toBe(hash128ListHex([a, b]));
  });

  it('depends on order and on where items begin and end', () => {
    const ab = Buffer.from('ab');
    const c = Buffer.from('c');
    const a = Buffer.from('a');
    const bc = Buffer.from('bc');
    const digests = [hash128ListHex([ab, c]), hash128ListHex([a, bc]), hash128ListHex([c, ab]), hash128ListHex([Buffer.from('abc')]), hash128ListHex([])];
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('changes when one byte of one item changes', () => {
    const items = [bytesOf(7, 64), bytesOf(8, 64)];
    const before = hash128ListHex(items);
    items[1]![63]! ^= 0x80;
    expect(hash128ListHex(items)).not.toBe(before);
  });
});

describe('hash128 refuses what is not bytes (TypeError, ERR_INFERLINE_INVALID_ARG)', () => {
  const out = new Uint32Array(4);
  const invalid = (includes: string[]) => ({ code: 'ERR_INFERLINE_INVALID_ARG' as const, kind: 'TypeError' as const, includes });

  it.each([
    ['a string', 'abc'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { byteLength: 4 }],
    ['an array', [1, 2, 3]],
  ])('data: %s', (what, value) => {
    expectThrows(() => nativeHash().hash128(value as never, out), invalid(['hash128: data must be a TypedArray, DataView, ArrayBuffer or Buffer', `received ${what}`]));
  });

  it('data: nothing at all', () => {
    expectThrows(() => (nativeHash().hash128 as unknown as () => void)(), invalid(['hash128: data', 'received nothing']));
  });

  it('data: a detached buffer', () => {
    const data = new Float32Array(16);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expectThrows(() => nativeHash().hash128(data, out), invalid(['hash128: data', 'detached']));
    expectThrows(() => nativeHash().hash128(data.buffer, out), invalid(['detached']));
  });

  it.each([
    ['a Uint8Array', new Uint8Array(16)],
    ['a short Uint32Array', new Uint32Array(3)],
    ['a short BigUint64Array', new BigUint64Array(1)],
    ['a number', 4],
    ['undefined', undefined],
  ])('out: %s', (_what, value) => {
    expectThrows(() => nativeHash().hash128(new Uint8Array(4), value as never), invalid(['hash128: out must be a Uint32Array of 4 or more elements']));
  });

  it.each([[-1], [1.5], [2 ** 53], [Number.NaN], ['7'], [7n]])('seed: %s', (seed) => {
    expectThrows(() => nativeHash().hash128(new Uint8Array(4), out, seed as never), invalid(['hash128: seed must be an integer from 0 to 2^53 - 1']));
  });

  it('list: not an array, or an item that is not bytes (named by its index)', () => {
    expectThrows(() => nativeHash().hash128List(new Uint8Array(4) as never, out), invalid(['hash128List: list must be an array', 'received an object']));
    expectThrows(() => nativeHash().hash128List([new Uint8Array(1), new Uint8Array(2), 'x' as never], out), invalid(['hash128List: list[2] must be a TypedArray', 'received a string']));
    expectThrows(() => nativeHash().hash128List([new Uint8Array(1)], new Uint16Array(8) as never), invalid(['hash128List: out must be']));
  });

  it('list: an accessor that throws propagates its own error', () => {
    const list: unknown[] = [new Uint8Array(1)];
    Object.defineProperty(list, 1, { get: () => { throw new RangeError('from the getter'); }, enumerable: true });
    expect(() => nativeHash().hash128List(list as never, out)).toThrow('from the getter');
  });
});

// Known answers (see the test that uses them).
const kEmptyDigest = 'c490979b7b10bfd2b7d7188c79970fc0';
const kCountingDigest = '05a68fa36af625c70ecd665fe68751c9';
const kCountingSeed42Digest = 'db03954e8baec19474018d3fd3d13b8c';
