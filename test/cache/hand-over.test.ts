// Outputs handed over to the cache (Model's own copies of a batch bound for a postprocess worker)
// are stored as they are, not copied again; everything else is copied before it is stored.
import { describe, expect, it } from 'vitest';
import { handOverToCache } from '../../src/cache/internal.js';
import { ResultCache } from '../../src/cache/result-cache.js';
import { Tensor } from '../../src/index.js';

const feeds = (): Record<string, Tensor> => ({ x: new Tensor('int32', Int32Array.of(1, 2, 3), [1, 3]) });

describe('ResultCache.run with handed-over outputs', () => {
  it('keeps handed-over outputs without a copy, and copies the others', async () => {
    const cache = new ResultCache({ maxBytes: 1 << 16 }, { model: 'm', version: '1' });
    const handed = handOverToCache({ y: new Tensor('int32', Int32Array.of(7), [1, 1]) });
    await cache.run(feeds(), async () => handed);
    // The cache holds that very memory: a later write to it (which a real caller never makes)
    // shows through the next hit.
    (handed.y!.data as Int32Array)[0] = 8;
    expect((await cache.run(feeds(), async () => { throw new Error('not run'); })).y!.data).toEqual(Int32Array.of(8));

    const other = new ResultCache({ maxBytes: 1 << 16 }, { model: 'm', version: '1' });
    const plain = { y: new Tensor('int32', Int32Array.of(7), [1, 1]) };
    await other.run(feeds(), async () => plain);
    (plain.y!.data as Int32Array)[0] = 8;
    expect((await other.run(feeds(), async () => { throw new Error('not run'); })).y!.data).toEqual(Int32Array.of(7));
  });
});
