// versionPolicy picks the versions that serve: the newest N (default 1), a fixed list, or all;
// get() without a version answers with the newest READY one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import { expectThrows } from '../helpers/expect-error.js';
import { addConstantModel, addedConstant, addFeeds, kLight, TempRepository } from './repository-fixtures.js';

const temp = new TempRepository();
let repo: ModelRepository;

/** A model with versions 1, 2, 3 answering x + version, under `policy`. */
function threeVersions(name: string, policy: object | undefined): void {
  for (const version of [1, 2, 3]) temp.writeVersion(name, version, addConstantModel(version));
  temp.writeConfig(name, { ...kLight, warmup: false, ...(policy === undefined ? {} : { versionPolicy: policy }) });
}

beforeAll(async () => {
  threeVersions('default', undefined);
  threeVersions('latest-2', { latest: { numVersions: 2 } });
  threeVersions('specific', { specific: { versions: [1, 3] } });
  threeVersions('all', { all: {} });
  threeVersions('missing', { specific: { versions: [2, 4] } });
  temp.writeVersion('ten', 9, addConstantModel(9));
  temp.writeVersion('ten', 10, addConstantModel(10)); // numeric order: 10 is newer than 9
  temp.writeConfig('ten', kLight);
  repo = await ModelRepository.open(temp.dir);
});

afterAll(async () => {
  await repo?.close();
  temp.remove();
});

function versionsOf(name: string): Array<[string, string]> {
  return repo.index().filter((entry) => entry.name === name).map((entry) => [entry.version, entry.state]);
}

describe('versionPolicy', () => {
  it('default: the newest version only', async () => {
    expect(versionsOf('default')).toEqual([['3', 'READY']]);
    expect(addedConstant(await repo.get('default').infer(addFeeds()))).toBe(3);
    expectThrows(() => repo.get('default', '1'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"default"', 'no version "1"', '"3"'] });
  });

  it('latest 2 of 3', async () => {
    expect(versionsOf('latest-2')).toEqual([['2', 'READY'], ['3', 'READY']]);
    expect(addedConstant(await repo.get('latest-2').infer(addFeeds()))).toBe(3);
    expect(addedConstant(await repo.get('latest-2', '2').infer(addFeeds()))).toBe(2);
  });

  it('specific versions', async () => {
    expect(versionsOf('specific')).toEqual([['1', 'READY'], ['3', 'READY']]);
    expect(addedConstant(await repo.get('specific', '1').infer(addFeeds()))).toBe(1);
    expectThrows(() => repo.get('specific', '2'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['no version "2"'] });
  });

  it('all versions', async () => {
    expect(versionsOf('all')).toEqual([['1', 'READY'], ['2', 'READY'], ['3', 'READY']]);
    for (const version of [1, 2, 3]) expect(addedConstant(await repo.get('all', String(version)).infer(addFeeds()))).toBe(version);
  });

  it('a specific version without a directory is UNAVAILABLE; the others serve', async () => {
    const rows = repo.index().filter((entry) => entry.name === 'missing');
    expect(rows.map((row) => [row.version, row.state])).toEqual([['2', 'READY'], ['4', 'UNAVAILABLE']]);
    expect(rows[1]!.reason).toContain('version 4');
    expect(rows[1]!.reason).toContain('does not exist');
    expect(addedConstant(await repo.get('missing').infer(addFeeds()))).toBe(2);
    expectThrows(() => repo.get('missing', '4'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"missing"', '"4"', 'UNAVAILABLE'] });
  });

  it('versions compare as numbers', async () => {
    expect(versionsOf('ten')).toEqual([['10', 'READY']]);
    expect(addedConstant(await repo.get('ten').infer(addFeeds()))).toBe(10);
  });
});
