// ModelRepository.open loads every model directory (mode 'all'), with or without config.json,
// and serves each through get(); index() lists every version with its state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { ModelRepository } from '../../src/repository/model-repository.js';
import type { ModelStateEvent } from '../../src/repository/model-record.js';
import { expectRejects } from '../helpers/expect-error.js';
import { addConstantModel, addedConstant, addFeeds, kLight, TempRepository } from './repository-fixtures.js';

const temp = new TempRepository();
const events: ModelStateEvent[] = [];
let repo: ModelRepository;

beforeAll(async () => {
  temp.writeVersion('add', 1, addConstantModel(1));
  temp.writeConfig('add', { name: 'add', ...kLight, batching: { maxBatchSize: 8 } });
  temp.writeVersion('multi-io', 1, 'multi-io'); // no config.json: defaults
  temp.writeVersion('cast', 3, 'cast');
  temp.writeConfig('cast', kLight);
  repo = await ModelRepository.open(temp.dir, { onState: (event) => events.push(event) });
});

afterAll(async () => {
  await repo?.close();
  temp.remove();
});

describe('ModelRepository.open in mode all', () => {
  it('loads every model and lists every version READY', () => {
    expect(repo.index()).toEqual([
      { name: 'add', version: '1', state: 'READY', reason: '' },
      { name: 'cast', version: '3', state: 'READY', reason: '' },
      { name: 'multi-io', version: '1', state: 'READY', reason: '' },
    ]);
    expect(repo.ready()).toBe(true);
    expect(repo.dir).toBe(temp.dir);
  });

  it('reported each version LOADING then READY to the onState listener', () => {
    for (const name of ['add', 'cast', 'multi-io']) {
      expect(events.filter((event) => event.name === name).map((event) => event.state)).toEqual(['LOADING', 'READY']);
    }
  });

  it('serves each model with its config: add batches, the others run as loaded', async () => {
    const add = repo.get('add');
    expect(add.name).toBe('add');
    expect(add.version).toBe('1');
    expect(add.batching).toBe(true);
    expect(repo.get('add', '1')).toBe(add);
    const results = await Promise.all([1, 2, 3].map((rows) => add.infer(addFeeds(rows))));
    expect(results.map(addedConstant)).toEqual([1, 1, 1]);

    const { sum, prod } = await repo.get('multi-io').infer({
      a: new Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 4]),
      b: new Tensor('float32', Float32Array.of(2, 2, 2, 2), [1, 4]),
    });
    expect(Array.from(sum!.data as Float32Array)).toEqual([3, 4, 5, 6]);
    expect(Array.from(prod!.data as Float32Array)).toEqual([2, 4, 6, 8]);

    const { y } = await repo.get('cast', '3').infer({ x: new Tensor('int32', Int32Array.of(2, 5), [2]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([1, 2.5]);
  });

  it('rejects bad arguments to open', async () => {
    await expectRejects(() => ModelRepository.open(''), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['dir'] });
    await expectRejects(() => ModelRepository.open(`${temp.dir}/add/1/model.onnx`), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['is not a directory'] });
    await expectRejects(() => ModelRepository.open(temp.dir, { polMs: 10 } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"polMs"', 'did you mean "pollMs"'] });
    await expectRejects(() => ModelRepository.open(temp.dir, { pollMs: -1 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['pollMs'] });
    await expectRejects(() => ModelRepository.open(temp.dir, { mode: 'poll' as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ["'all' or 'explicit'"] });
    await expectRejects(() => ModelRepository.open(temp.dir, { models: ['add'] }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ["mode 'explicit'"] });
    await expectRejects(() => ModelRepository.open(temp.dir, { mode: 'explicit', models: ['../add'] }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['models'] });
  });

  it('skips hidden directories and files next to the models', async () => {
    const other = new TempRepository();
    try {
      other.writeVersion('.trash', 1, addConstantModel(1));
      other.writeVersion('ok', 1, addConstantModel(1));
      other.writeConfig('ok', kLight);
      other.writeVersion('ok', 'not-a-version', addConstantModel(9));
      other.writeVersion('ok', '01', addConstantModel(9));
      const only = await ModelRepository.open(other.dir);
      expect(only.index()).toEqual([{ name: 'ok', version: '1', state: 'READY', reason: '' }]);
      await only.close();
    } finally {
      other.remove();
    }
  });
});
