// Warmup requests run on a version before it reports READY: generated from the model's input
// shapes by default, declared in config.json, or turned off; a warmup that fails or does not fit
// the model leaves the version UNAVAILABLE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import type { ModelStateEvent } from '../../src/repository/model-record.js';
import { expectRejects } from '../helpers/expect-error.js';
import { addConstantModel, kLight, TempRepository } from './repository-fixtures.js';

const temp = new TempRepository();
const kHandlers = new URL('../fixtures/handlers/mlp-row.mjs', import.meta.url).pathname;
/** Warmup requests each version had run at the moment it reported READY. */
const successAtReady = new Map<string, number>();
let repo: ModelRepository;

function onState(event: ModelStateEvent): void {
  if (event.state === 'READY' && event.reason === '') {
    successAtReady.set(event.name, repo.get(event.name, event.version).stats().warmupRequests);
  }
}

const kAutoModels = ['add', 'mlp', 'multi-io', 'fixed-shape', 'gather', 'string', 'int64-add', 'identity-float16', 'identity-bfloat16', 'identity-bool', 'identity-uint64', 'identity-int8'];

beforeAll(async () => {
  for (const name of kAutoModels) {
    temp.writeVersion(name, 1, name);
    temp.writeConfig(name, kLight);
  }
  temp.writeVersion('declared', 1, addConstantModel(1));
  temp.writeConfig('declared', {
    ...kLight,
    warmup: [
      { inputs: { x: { datatype: 'FP32', shape: [4, 16], fill: 'random' } } },
      { inputs: { x: { shape: [1, 16], fill: 0.5 } } },
      { inputs: { x: { shape: [2, 16] } } },
    ],
  });
  temp.writeVersion('off', 1, addConstantModel(1));
  temp.writeConfig('off', { ...kLight, warmup: false });
  temp.writeVersion('fails', 1, 'failing'); // zeros as the target shape: Reshape fails
  temp.writeConfig('fails', kLight);
  temp.writeVersion('wrong-shape', 1, addConstantModel(1));
  temp.writeConfig('wrong-shape', { ...kLight, warmup: [{ inputs: { x: { shape: [1, 8] } } }] });
  temp.writeVersion('wrong-name', 1, addConstantModel(1));
  temp.writeConfig('wrong-name', { ...kLight, warmup: [{ inputs: { z: { shape: [1, 16] } } }] });
  temp.writeVersion('wrong-type', 1, addConstantModel(1));
  temp.writeConfig('wrong-type', { ...kLight, warmup: [{ inputs: { x: { shape: [1, 16], datatype: 'INT32' } } }] });
  temp.writeVersion('bad-fill', 1, addConstantModel(1));
  temp.writeConfig('bad-fill', { ...kLight, warmup: [{ inputs: { x: { shape: [1, 16], fill: 'ones' } } }] });
  temp.writeVersion('handlers', 1, 'mlp');
  temp.writeConfig('handlers', { ...kLight, preprocess: kHandlers, postprocess: kHandlers });
  temp.writeVersion('handlers-declared', 1, 'mlp');
  temp.writeConfig('handlers-declared', { ...kLight, preprocess: kHandlers, warmup: [{ inputs: { x: { shape: [1, 256] } } }] });
  // Explicit mode, so that the listener (which reads the repository) is attached before any load.
  repo = await ModelRepository.open(temp.dir, { mode: 'explicit' });
  repo.on('state', onState);
  const names = repo.index().map((entry) => entry.name);
  await Promise.all(names.map((name) => repo.load(name).catch(() => {})));
});

afterAll(async () => {
  await repo?.close();
  temp.remove();
});

function rowOf(name: string) {
  return repo.index().find((entry) => entry.name === name)!;
}

describe('warmup', () => {
  it.each(kAutoModels)('%s: one generated request has run when it reports READY', (name) => {
    expect(rowOf(name)).toEqual({ name, version: '1', state: 'READY', reason: '' });
    expect(successAtReady.get(name)).toBe(1);
  });

  it('declared requests all run before READY', () => {
    expect(rowOf('declared').state).toBe('READY');
    expect(successAtReady.get('declared')).toBe(3);
    // Warmup is not traffic: the request counts start from zero at READY.
    expect(repo.get('declared').stats().requests).toEqual({ success: 0, failure: 0 });
    expect(repo.get('declared').stats().inferences).toBe(0);
  });

  it('warmup false runs none', () => {
    expect(successAtReady.get('off')).toBe(0);
  });

  it('a model with a preprocess handler gets no generated warmup; declared warmup is refused', () => {
    expect(rowOf('handlers').state).toBe('READY');
    expect(successAtReady.get('handlers')).toBe(0);
    expect(rowOf('handlers-declared').state).toBe('UNAVAILABLE');
    expect(rowOf('handlers-declared').reason).toContain('preprocess handler');
  });

  it.each([
    ['fails', ['warmup request 1 of 1 failed', 'Reshape']],
    ['wrong-shape', ['warmup[0]', 'input "x"', '[1,8]', '[N,16]']],
    ['wrong-name', ['warmup[0]', 'input "z"', '"x"']],
    ['wrong-type', ['warmup[0]', 'INT32', 'float32']],
    ['bad-fill', ['warmup[0].inputs.x.fill', '"ones"']],
  ])('%s: UNAVAILABLE with the reason', async (name, words) => {
    const row = rowOf(name);
    expect(row.state).toBe('UNAVAILABLE');
    for (const word of words) expect(row.reason).toContain(word);
    await expectRejects(() => repo.load(name), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: words });
  });

  it('the repository option warmup: false turns every warmup off', async () => {
    const quiet = await ModelRepository.open(temp.dir, { mode: 'explicit', models: ['add', 'declared', 'fails'], warmup: false });
    try {
      expect(quiet.get('add').stats().warmupRequests).toBe(0);
      expect(quiet.get('declared').stats().warmupRequests).toBe(0);
      expect(quiet.index().find((entry) => entry.name === 'fails')!.state).toBe('READY');
    } finally {
      await quiet.close();
    }
  });
});
