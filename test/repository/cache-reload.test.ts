// A model's result cache belongs to one loaded version: a reload (a new version, or the same
// version's files rewritten) starts with an empty cache, so no answer of the old files survives.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import { addConstantModel, addedConstant, addFeeds, kLight, TempRepository } from './repository-fixtures.js';

const kCached = { ...kLight, cache: { maxBytes: 1 << 20 } };

let temp: TempRepository;
let repo: ModelRepository | undefined;

beforeEach(() => {
  temp = new TempRepository();
  temp.writeVersion('m', 1, addConstantModel(1));
  temp.writeConfig('m', kCached);
});

afterEach(async () => {
  await repo?.close();
  repo = undefined;
  temp.remove();
});

describe('result cache across reloads', () => {
  it('a new version answers from its own model, not from the old version\'s cache', async () => {
    repo = await ModelRepository.open(temp.dir);
    expect(addedConstant(await repo.get('m').infer(addFeeds()))).toBe(1);
    expect(addedConstant(await repo.get('m').infer(addFeeds()))).toBe(1);
    expect(repo.get('m').stats().cache).toMatchObject({ hits: 1, misses: 1 });

    temp.writeVersion('m', 2, addConstantModel(2));
    await repo.poll();
    const next = repo.get('m');
    expect(next.version).toBe('2');
    expect(addedConstant(await next.infer(addFeeds()))).toBe(2);
    expect(next.stats().cache).toMatchObject({ hits: 0, misses: 1, entries: 1 });
  });

  it('the same version reloaded from rewritten files starts with an empty cache', async () => {
    repo = await ModelRepository.open(temp.dir);
    await repo.get('m').infer(addFeeds());
    expect(repo.get('m').stats().cache!.entries).toBe(1);
    writeFileSync(join(temp.dir, 'm', '1', 'model.onnx'), addConstantModel(5));
    await repo.poll();
    expect(repo.get('m').stats().cache).toMatchObject({ entries: 0, hits: 0 });
    expect(addedConstant(await repo.get('m').infer(addFeeds()))).toBe(5);
  });
});
