// Explicit mode serves only what load() (or options.models) asked for; unload() drains and stops a
// model in either mode, and polls leave an unloaded model alone until load() brings it back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import { expectRejects, expectThrows } from '../helpers/expect-error.js';
import { addConstantModel, addedConstant, addFeeds, kLight, TempRepository } from './repository-fixtures.js';

let temp: TempRepository;
let repo: ModelRepository | undefined;

beforeEach(() => {
  temp = new TempRepository();
  for (const [name, k] of [['a', 1], ['b', 2]] as const) {
    temp.writeVersion(name, 1, addConstantModel(k));
    temp.writeConfig(name, kLight);
  }
});

afterEach(async () => {
  await repo?.close();
  repo = undefined;
  temp.remove();
});

describe("mode 'explicit'", () => {
  it('loads only options.models at start; the rest are known but not loaded', async () => {
    repo = await ModelRepository.open(temp.dir, { mode: 'explicit', models: ['a'] });
    expect(repo.index()).toEqual([
      { name: 'a', version: '1', state: 'READY', reason: '' },
      { name: 'b', version: '', state: 'UNAVAILABLE', reason: 'not loaded' },
    ]);
    expectThrows(() => repo!.get('b'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"b"', 'not loaded'] });
    await repo.poll(); // polling does not load what was not asked for
    expect(repo.index()[1]!.state).toBe('UNAVAILABLE');
    expect(repo.ready()).toBe(true);
  });

  it('load() brings a model up; unload() takes it down, draining its requests', async () => {
    repo = await ModelRepository.open(temp.dir, { mode: 'explicit' });
    expect(repo.index().map((entry) => entry.reason)).toEqual(['not loaded', 'not loaded']);
    await repo.load('b');
    expect(addedConstant(await repo.get('b').infer(addFeeds()))).toBe(2);
    const model = repo.get('b');
    const inFlight = Array.from({ length: 8 }, () => model.infer(addFeeds()));
    await repo.unload('b');
    expect((await Promise.all(inFlight)).map(addedConstant)).toEqual(Array(8).fill(2));
    expect(repo.index().find((entry) => entry.name === 'b')).toEqual({ name: 'b', version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
    await expectRejects(() => model.infer(addFeeds()), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError' });
    expectThrows(() => repo!.get('b'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError' });
  });

  it('strictReadiness: ready() only when every model that should serve has a READY version', async () => {
    temp.writeVersion('broken', 1, new Uint8Array([8, 1, 2, 3]));
    repo = await ModelRepository.open(temp.dir, { mode: 'explicit', models: ['a'], strictReadiness: true });
    expect(repo.ready()).toBe(true); // 'broken' is not asked for
    await expectRejects(() => repo!.load('broken'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['"broken"', 'version "1"'] });
    expect(repo.ready()).toBe(false);
    await repo.unload('broken');
    expect(repo.ready()).toBe(true);
  });

  it('rejects unknown and malformed names, and options.models that do not exist', async () => {
    await expectRejects(() => ModelRepository.open(temp.dir, { mode: 'explicit', models: ['a', 'nope'] }), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"nope"'] });
    repo = await ModelRepository.open(temp.dir, { mode: 'explicit' });
    await expectRejects(() => repo!.load('nope'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"nope"'] });
    await expectRejects(() => repo!.unload('nope'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"nope"'] });
    for (const bad of ['../a', 'a/b', '.hidden', '', 42]) {
      await expectRejects(() => repo!.load(bad as string), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['ModelRepository.load', 'name'] });
      await expectRejects(() => repo!.unload(bad as string), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['ModelRepository.unload'] });
    }
    expectThrows(() => repo!.get('../a'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['Unknown model "../a"'] });
  });
});

describe("mode 'all'", () => {
  it('unload() survives polls; load() brings the model back from disk', async () => {
    repo = await ModelRepository.open(temp.dir);
    await repo.unload('a');
    expect(repo.index()[0]).toEqual({ name: 'a', version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
    await repo.poll();
    expectThrows(() => repo!.get('a'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"a"'] });
    temp.writeVersion('a', 2, addConstantModel(20));
    await repo.load('a');
    expect(addedConstant(await repo.get('a').infer(addFeeds()))).toBe(20);
    expect(addedConstant(await repo.get('b').infer(addFeeds()))).toBe(2);
  });

  it('load() of a loaded model reloads it from disk, even with unchanged files', async () => {
    const states: string[] = [];
    repo = await ModelRepository.open(temp.dir, { onState: (event) => event.name === 'a' && states.push(event.state) });
    const before = repo.get('a');
    await repo.load('a');
    expect(repo.get('a')).not.toBe(before);
    expect(states).toEqual(['LOADING', 'READY', 'READY']); // stayed READY: the old one served until the new one was
  });

  it('load() rejects for a model directory removed since the last poll, and forgets it', async () => {
    repo = await ModelRepository.open(temp.dir);
    temp.removePath('a');
    await expectRejects(() => repo!.load('a'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"a"'] });
    expect(repo.index().map((entry) => entry.name)).toEqual(['b']);
  });
});
