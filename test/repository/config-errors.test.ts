// A broken config.json or a model that differs from its declared inputs/outputs makes that model
// UNAVAILABLE with the reason (index, 'state' event, process warning) while the others serve;
// load() rejects with ERR_INFERLINE_MODEL_CONFIG carrying the same words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import type { ModelStateEvent } from '../../src/repository/model-record.js';
import { expectRejects, expectThrows } from '../helpers/expect-error.js';
import { addConstantModel, addedConstant, addFeeds, kLight, TempRepository } from './repository-fixtures.js';

const temp = new TempRepository();
const warnings: Error[] = [];
const events: ModelStateEvent[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};
let repo: ModelRepository;

const kX = { name: 'x', datatype: 'FP32', shape: [-1, 16] };
const kY = { name: 'y', datatype: 'FP32', shape: [-1, 16] };

/** Each broken config, and words its reason must hold. */
const kBroken: Record<string, { config: object | string; words: string[] }> = {
  'bad-json': { config: '{ "batching": { "maxBatchSize": 8, } }', words: ['config.json', 'is not valid JSON', 'JSON'] },
  'not-object': { config: '[1, 2]', words: ['must be a JSON object', 'an array'] },
  'unknown-key': { config: { batchng: { maxBatchSize: 8 } }, words: ['config.json', 'unknown option "batchng"', 'did you mean "batching"'] },
  'unknown-nested': { config: { batching: { maxBatchSiz: 8 } }, words: ['config.json', 'version "1"', '"maxBatchSiz"', 'did you mean "maxBatchSize"'] },
  'bad-value': { config: { instances: { count: 0 } }, words: ['instances.count', 'integer from 1'] },
  'wrong-name': { config: { name: 'other' }, words: ['"other"', 'differs from the directory\'s name'] },
  'bad-policy': { config: { versionPolicy: { latest: { numVersions: 0 } } }, words: ['numVersions', '≥ 1'] },
  'input-dtype': { config: { inputs: [{ ...kX, datatype: 'FP16' }], outputs: [kY] }, words: ['input "x"', 'declared FP16', 'model has FP32'] },
  'input-shape': { config: { inputs: [{ ...kX, shape: [-1, 8] }] }, words: ['input "x"', '[-1,8]', '[N,16]'] },
  'input-name': { config: { inputs: [kX, { ...kX, name: 'z' }] }, words: ['declares input "z"', '"x"'] },
  'input-undeclared': { config: { inputs: [], outputs: [kY] }, words: ['input "x"', 'not declared'] },
  'output-rank': { config: { inputs: [kX], outputs: [{ ...kY, shape: [-1] }] }, words: ['output "y"', '[-1]', '[N,16]'] },
  'bad-datatype': { config: { inputs: [{ ...kX, datatype: 'float32' }] }, words: ['inputs[0].datatype', 'FP32', '"float32"'] },
  'missing-handler': { config: { preprocess: 'nowhere.mjs' }, words: ['preprocess module', 'nowhere.mjs', 'does not exist'] },
};

beforeAll(async () => {
  process.on('warning', onWarning);
  temp.writeVersion('good', 1, addConstantModel(1));
  temp.writeConfig('good', { ...kLight, inputs: [kX], outputs: [kY] });
  for (const [name, { config }] of Object.entries(kBroken)) {
    temp.writeVersion(name, 1, addConstantModel(1));
    temp.writeConfig(name, typeof config === 'string' ? config : { ...kLight, ...config });
  }
  temp.writeConfig('no-versions', kLight);
  repo = await ModelRepository.open(temp.dir, { onState: (event) => events.push(event) });
});

afterAll(async () => {
  process.off('warning', onWarning);
  await repo?.close();
  temp.remove();
});

describe('broken configs', () => {
  it('the good model serves, with its declared inputs and outputs checked', async () => {
    expect(repo.index().find((entry) => entry.name === 'good')).toEqual({ name: 'good', version: '1', state: 'READY', reason: '' });
    expect(addedConstant(await repo.get('good').infer(addFeeds()))).toBe(1);
    expect(repo.ready()).toBe(true); // lenient readiness: broken models do not take the server down
  });

  it.each(Object.entries(kBroken))('%s: UNAVAILABLE with the reason', (name, { words }) => {
    const rows = repo.index().filter((entry) => entry.name === name);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.state).toBe('UNAVAILABLE');
    for (const word of words) expect(rows[0]!.reason).toContain(word);
    expect(events.some((event) => event.name === name && event.state === 'UNAVAILABLE' && event.reason === rows[0]!.reason)).toBe(true);
    const warning = warnings.find((w) => w.message.includes(`Model "${name}"`));
    expect(warning, `a warning for ${name}`).toBeDefined();
    expect((warning as Error & { code?: string }).code).toBe('INFERLINE_MODEL_UNAVAILABLE');
    expectThrows(() => repo.get(name), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: [`"${name}"`, 'UNAVAILABLE', words[0]!] });
  });

  it('a config error concerns the model as a whole (version ""); a load error its version', () => {
    expect(repo.index().find((entry) => entry.name === 'bad-json')!.version).toBe('');
    expect(repo.index().find((entry) => entry.name === 'input-dtype')!.version).toBe('1');
  });

  it('a model directory with no version is UNAVAILABLE', () => {
    const row = repo.index().find((entry) => entry.name === 'no-versions')!;
    expect(row.state).toBe('UNAVAILABLE');
    expect(row.reason).toContain('no version directory');
  });

  it('load() rejects with ERR_INFERLINE_MODEL_CONFIG and the underlying error as cause', async () => {
    const json = await expectRejects(() => repo.load('bad-json'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['config.json', 'is not valid JSON'] });
    expect(json.cause).toBeInstanceOf(SyntaxError);
    const nested = await expectRejects(() => repo.load('unknown-nested'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['did you mean "maxBatchSize"'] });
    expect((nested.cause as { code?: string }).code).toBe('ERR_INFERLINE_UNKNOWN_OPTION');
    const key = await expectRejects(() => repo.load('unknown-key'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['did you mean "batching"'] });
    expect((key.cause as { code?: string }).code).toBe('ERR_INFERLINE_UNKNOWN_OPTION');
    await expectRejects(() => repo.load('input-shape'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['[-1,8]'] });
    await expectRejects(() => repo.load('no-versions'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['no version directory'] });
  });

  it('fixing the config and polling brings the model up', async () => {
    temp.writeConfig('bad-json', { ...kLight, batching: { maxBatchSize: 8 } });
    await repo.poll();
    expect(repo.index().find((entry) => entry.name === 'bad-json')).toEqual({ name: 'bad-json', version: '1', state: 'READY', reason: '' });
    expect(addedConstant(await repo.get('bad-json').infer(addFeeds()))).toBe(1);
  });

  it('a config broken while the model serves keeps the loaded version serving, with the reason', async () => {
    temp.writeConfig('good', '{ not json');
    await repo.poll();
    const row = repo.index().find((entry) => entry.name === 'good')!;
    expect(row.state).toBe('READY');
    expect(row.reason).toContain('still serving the config loaded before');
    expect(row.reason).toContain('is not valid JSON');
    expect(addedConstant(await repo.get('good').infer(addFeeds()))).toBe(1);
    const reported = warnings.filter((w) => w.message.includes('Model "good"')).length;
    await repo.poll(); // unchanged: not reported again
    expect(warnings.filter((w) => w.message.includes('Model "good"')).length).toBe(reported);
  });
});
