// The result cache's key and hits: a hit gives what the model gives, bit for bit; anything that
// makes a different request (one byte, the dtype, the shape, an input's name) misses; hits are
// copies no caller can write through; clear() forgets everything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache } from '../../src/cache/result-cache.js';
import { Session, Tensor } from '../../src/index.js';
import { expectRejects, expectThrows } from '../helpers/expect-error.js';
import { mlpFeeds } from '../helpers/mlp-feeds.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kIdentity = { model: 'm', version: '1' };

/** A compute that counts its calls and answers with the call number, so a test sees which ran. */
function counter(): { calls: number; compute: () => Promise<Record<string, Tensor>> } {
  const state = {
    calls: 0,
    compute: async () => {
      state.calls++;
      return { y: new Tensor('int32', Int32Array.of(state.calls), [1]) };
    },
  };
  return state;
}

const callOf = (outputs: Record<string, Tensor>): number => (outputs.y!.data as Int32Array)[0]!;

describe('a hit equals the uncached result', () => {
  let session: Session;
  beforeAll(async () => {
    session = await Session.create(generatedModel('mlp'), { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await session.close();
  });

  it('on the MLP, for several inputs, bit for bit', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, { model: 'mlp', version: '1' });
    let runs = 0;
    for (const seed of [1, 2, 3]) {
      const feeds = mlpFeeds(2, seed);
      const compute = () => {
        runs++;
        return session.run(feeds);
      };
      const first = await cache.run(feeds, compute);
      const hit = await cache.run(mlpFeeds(2, seed), compute); // equal bytes, other objects
      const uncached = await session.run(feeds);
      for (const name of Object.keys(uncached)) {
        expectSameTensor(first[name]!, uncached[name]!, `seed ${seed} first ${name}`);
        expectSameTensor(hit[name]!, uncached[name]!, `seed ${seed} hit ${name}`);
      }
    }
    expect(runs).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 3, entries: 3 });
  });
});

describe('the key', () => {
  it('misses when one byte changes, and hits again with the original bytes', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const data = randomFloat32(256, 1);
    expect(callOf(await cache.run({ x: new Tensor('float32', data, [1, 256]) }, compute))).toBe(1);
    const changed = data.slice();
    new Uint8Array(changed.buffer)[1000]! ^= 1;
    expect(callOf(await cache.run({ x: new Tensor('float32', changed, [1, 256]) }, compute))).toBe(2);
    expect(callOf(await cache.run({ x: new Tensor('float32', data.slice(), [1, 256]) }, compute))).toBe(1);
  });

  it('misses on another dtype over the same bytes, another shape, another name', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const data = randomFloat32(16, 2);
    const variants = [
      { x: new Tensor('float32', data, [4, 4]) },
      { x: new Tensor('int32', new Int32Array(data.buffer), [4, 4]) },
      { x: new Tensor('uint32', new Uint32Array(data.buffer), [4, 4]) },
      { x: new Tensor('float32', data, [16]) },
      { x: new Tensor('float32', data, [2, 8]) },
      { x: new Tensor('float32', data, [1, 4, 4]) },
      { y: new Tensor('float32', data, [4, 4]) },
      { x: new Tensor('float32', data, [4, 4]), z: new Tensor('float32', new Float32Array(0), [0]) },
    ];
    for (const [index, feeds] of variants.entries()) expect(callOf(await cache.run(feeds, compute)), `variant ${index}`).toBe(index + 1);
    for (const [index, feeds] of variants.entries()) expect(callOf(await cache.run(feeds, compute)), `variant ${index} again`).toBe(index + 1);
    expect(cache.stats()).toMatchObject({ hits: variants.length, misses: variants.length, entries: variants.length });
  });

  it('tells bool from uint8 and float16 from uint16 over the same bytes', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const bytes = Uint8Array.of(0, 1, 1, 0);
    const halves = Uint16Array.of(0x3c00, 1);
    expect(callOf(await cache.run({ x: new Tensor('bool', bytes, [4]) }, compute))).toBe(1);
    expect(callOf(await cache.run({ x: new Tensor('uint8', bytes, [4]) }, compute))).toBe(2);
    expect(callOf(await cache.run({ x: new Tensor('float16', halves, [2]) }, compute))).toBe(3);
    expect(callOf(await cache.run({ x: new Tensor('uint16', halves, [2]) }, compute))).toBe(4);
  });

  it('does not depend on the order of the feeds or on the views\' offsets', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const a = randomFloat32(8, 3);
    const b = randomFloat32(8, 4);
    await cache.run({ a: new Tensor('float32', a, [8]), b: new Tensor('float32', b, [8]) }, compute);
    const backing = new Float32Array(20);
    backing.set(b, 11);
    const hit = await cache.run({ b: new Tensor('float32', backing.subarray(11, 19), [8]), a: new Tensor('float32', a.slice(), [8]) }, compute);
    expect(callOf(hit)).toBe(1);
  });

  it('covers string tensors by content, with their boundaries', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    expect(callOf(await cache.run({ s: new Tensor('string', ['ab', 'c'], [2]) }, compute))).toBe(1);
    expect(callOf(await cache.run({ s: new Tensor('string', ['a', 'bc'], [2]) }, compute))).toBe(2);
    expect(callOf(await cache.run({ s: new Tensor('string', ['ab', 'c'], [2]) }, compute))).toBe(1);
    expect(callOf(await cache.run({ s: new Tensor('string', ['ab', 'ç'], [2]) }, compute))).toBe(3);
  });

  it('tells inputs apart by where their names begin and end', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const empty = (): Tensor => new Tensor('float32', new Float32Array(0), [0]);
    await cache.run({ ab: empty(), c: empty() }, compute);
    expect(callOf(await cache.run({ a: empty(), bc: empty() }, compute))).toBe(2);
    expect(callOf(await cache.run({ abc: empty() }, compute))).toBe(3);
    expect(callOf(await cache.run({ c: empty(), ab: empty() }, compute))).toBe(1);
  });

  it('differs between models and versions (the identity seeds the digest)', async () => {
    const feeds = { x: new Tensor('float32', randomFloat32(4, 5), [4]) };
    const one = new ResultCache({ maxBytes: 1 << 20 }, { model: 'm', version: '1' });
    const two = new ResultCache({ maxBytes: 1 << 20 }, { model: 'm', version: '2' });
    const found = [one.lookup(feeds), two.lookup(feeds)];
    expect(found.every((f) => !f.hit)).toBe(true);
  });
});

describe('hits are the caller\'s own', () => {
  it('writing into a hit\'s output, or into the compute\'s, does not change the next hit', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const feeds = { x: new Tensor('float32', randomFloat32(4, 6), [4]) };
    const computed = { y: new Tensor('float32', Float32Array.of(1, 2, 3), [3]), s: new Tensor('string', ['p', 'q'], [2]) };
    const first = await cache.run(feeds, async () => computed);
    expect(first).toBe(computed); // the caller that computed gets its own objects
    (computed.y.data as Float32Array)[0] = 100;
    (computed.s.data as string[])[0] = 'changed';
    const hit = await cache.run(feeds, async () => expect.fail('must hit'));
    expect([...(hit.y!.data as Float32Array)]).toEqual([1, 2, 3]);
    expect(hit.s!.data).toEqual(['p', 'q']);
    expect(Object.isFrozen(hit.y!.shape)).toBe(true);
    (hit.y!.data as Float32Array)[1] = 200;
    const again = await cache.run(feeds, async () => expect.fail('must hit'));
    expect([...(again.y!.data as Float32Array)]).toEqual([1, 2, 3]);
    expect(again.y!.data).not.toBe(hit.y!.data);
  });

  it('writing into the request\'s input after the result is stored does not change the entry', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const data = randomFloat32(8, 7);
    const original = data.slice();
    await cache.run({ x: new Tensor('float32', data, [8]) }, compute);
    data[0] = 42; // the stored copy of the input must not follow
    expect(callOf(await cache.run({ x: new Tensor('float32', original, [8]) }, compute))).toBe(1);
    expect(callOf(await cache.run({ x: new Tensor('float32', data, [8]) }, compute))).toBe(2);
  });

  it('outputs named like Object.prototype members come back as own properties', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const feeds = { x: new Tensor('float32', randomFloat32(4, 8), [4]) };
    const outputs: Record<string, Tensor> = {};
    Object.defineProperty(outputs, '__proto__', { value: new Tensor('int32', Int32Array.of(7), [1]), enumerable: true });
    await cache.run(feeds, async () => outputs);
    const hit = await cache.run(feeds, async () => expect.fail('must hit'));
    expect(Object.keys(hit)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(hit)).toBe(Object.prototype);
  });
});

describe('lookup() and insert()', () => {
  it('a miss handle stores the result; the next lookup hits', () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const feeds = { x: new Tensor('float32', randomFloat32(4, 9), [4]) };
    const found = cache.lookup(feeds);
    if (found.hit) expect.fail('must miss');
    expect(cache.insert(found.miss, { y: new Tensor('float32', Float32Array.of(5), [1]) })).toBe(true);
    const again = cache.lookup(feeds);
    expect(again.hit && [...(again.outputs.y!.data as Float32Array)]).toEqual([5]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1, bytes: 16 + 4 });
  });

  it('an entry found under the key but holding other bytes or another shape is a miss (as on a digest collision)', () => {
    // insert() copies the inputs as they are then, under the key of the lookup: changing the
    // input in between files an entry whose key no longer matches its contents, the situation a
    // digest collision creates. Only the full comparison stands between it and a wrong answer.
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const data = randomFloat32(64, 20);
    const original = data.slice();
    const tensor = new Tensor('float32', data, [64]);
    const found = cache.lookup({ x: tensor });
    if (found.hit) expect.fail('must miss');
    data[10] = -1;
    cache.insert(found.miss, { y: new Tensor('int32', Int32Array.of(1), [1]) });
    expect(cache.stats().entries).toBe(1);
    expect(cache.lookup({ x: new Tensor('float32', original, [64]) }).hit).toBe(false); // same key, other bytes
    expect(cache.lookup({ x: tensor }).hit).toBe(false); // its own bytes, but another key

    const shaped = new Tensor('float32', randomFloat32(64, 21), [8, 8]);
    const again = cache.lookup({ x: shaped });
    if (again.hit) expect.fail('must miss');
    (shaped.shape as number[])[0] = 4; // a shape changed behind the Tensor's back
    (shaped.shape as number[])[1] = 16;
    cache.insert(again.miss, { y: new Tensor('int32', Int32Array.of(2), [1]) });
    expect(cache.lookup({ x: new Tensor('float32', shaped.data, [8, 8]) }).hit).toBe(false); // same key, other shape
    expect(cache.stats()).toMatchObject({ hits: 0, entries: 2 });
  });

  it('insert refuses a miss from another cache, or outputs that are not Tensors', () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const other = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const found = other.lookup({ x: new Tensor('float32', randomFloat32(4, 10), [4]) });
    if (found.hit) expect.fail('must miss');
    expectThrows(() => cache.insert(found.miss, {}), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "m" cache insert', 'miss must be the miss this cache'] });
    expectThrows(() => other.insert(found.miss, { y: new Float32Array(1) as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['output "y"', 'a Float32Array'] });
  });
});

describe('clear()', () => {
  it('forgets every entry; the counts stay', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const { compute } = counter();
    const feeds = { x: new Tensor('float32', randomFloat32(4, 11), [4]) };
    await cache.run(feeds, compute);
    await cache.run(feeds, compute);
    cache.clear();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, hits: 1, misses: 1 });
    expect(callOf(await cache.run(feeds, compute))).toBe(2);
  });

  it('a result computed across clear() answers its callers but is not stored', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const feeds = { x: new Tensor('float32', randomFloat32(4, 12), [4]) };
    let finish!: () => void;
    const started = cache.run(feeds, () => new Promise((resolve) => {
      finish = () => resolve({ y: new Tensor('int32', Int32Array.of(1), [1]) });
    }));
    cache.clear(); // e.g. the model was reloaded meanwhile
    finish();
    expect(callOf(await started)).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 0, inflight: 0 });
    const found = cache.lookup(feeds);
    expect(found.hit).toBe(false);
    if (!found.hit) {
      cache.clear();
      expect(cache.insert(found.miss, { y: new Tensor('int32', Int32Array.of(2), [1]) })).toBe(false);
    }
  });
});

describe('bad feeds', () => {
  it('a feed that is not a Tensor: ERR_INFERLINE_INVALID_ARG', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    expectThrows(() => cache.lookup({ x: new Float32Array(4) as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['Model "m" cache input "x"', 'expected a Tensor', 'a Float32Array'] });
    expectThrows(() => cache.lookup(null as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['feeds must be an object', 'null'] });
    await expectRejects(() => cache.run({ x: { dtype: 'float32' } as never }, counter().compute), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['input "x"'] });
    await expectRejects(() => cache.run({}, 'compute' as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['compute must be a function', 'string'] });
  });

  it('an input whose buffer was transferred away: ERR_INFERLINE_DETACHED_BUFFER', () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const tensor = new Tensor('float32', new Float32Array(4), [4]);
    structuredClone(tensor.data, { transfer: [(tensor.data as Float32Array).buffer] });
    expectThrows(() => cache.lookup({ x: tensor }), { code: 'ERR_INFERLINE_DETACHED_BUFFER', kind: 'TypeError', includes: ['input "x"', 'detached'] });
  });

  it('compute resolving to something other than Tensors rejects and stores nothing', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 20 }, kIdentity);
    const feeds = { x: new Tensor('float32', randomFloat32(4, 13), [4]) };
    await expectRejects(() => cache.run(feeds, async () => ({ y: [1, 2] }) as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['compute must resolve to an object of output Tensors', 'output "y"'] });
    await expectRejects(() => cache.run(feeds, async () => null as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['received null'] });
    expect(cache.stats()).toMatchObject({ entries: 0, inflight: 0 });
  });
});
