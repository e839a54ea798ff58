// get()'s error codes, and close(): it stops polling, drains the requests in flight and leaves a
// repository that refuses politely.
import { afterEach, describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { ModelRepository } from '../../src/repository/model-repository.js';
import { expectRejects, expectThrows } from '../helpers/expect-error.js';
import { addConstantModel, kLight, TempRepository } from './repository-fixtures.js';

let temp: TempRepository | undefined;
let repo: ModelRepository | undefined;

afterEach(async () => {
  await repo?.close();
  repo = undefined;
  temp?.remove();
  temp = undefined;
});

async function openRepository(options: { pollMs?: number } = {}): Promise<ModelRepository> {
  temp = new TempRepository();
  temp.writeVersion('add', 1, addConstantModel(1));
  temp.writeVersion('add', 2, addConstantModel(2));
  temp.writeConfig('add', { ...kLight, versionPolicy: { all: {} } });
  temp.writeVersion('slow', 1, 'slow');
  temp.writeConfig('slow', { ...kLight, batching: { maxBatchSize: 64 }, warmup: false });
  temp.writeVersion('broken', 1, new Uint8Array([1]));
  repo = await ModelRepository.open(temp.dir, options);
  return repo;
}

describe('ModelRepository.get', () => {
  it('answers with the named version, else the newest READY one', async () => {
    const r = await openRepository();
    expect(r.get('add').version).toBe('2');
    expect(r.get('add', '1').version).toBe('1');
    expect(r.get('add', '').version).toBe('2');
  });

  it('throws ERR_INFERLINE_UNKNOWN_MODEL for an unknown name or version', async () => {
    const r = await openRepository();
    expectThrows(() => r.get('nope'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['Unknown model "nope"'] });
    expectThrows(() => r.get('add', '3'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"add"', 'no version "3"', '"1", "2"'] });
    expectThrows(() => r.get(undefined as unknown as string), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError' });
  });

  it('throws ERR_INFERLINE_MODEL_NOT_READY for a model that failed, naming the state and reason', async () => {
    const r = await openRepository();
    expectThrows(() => r.get('broken'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"broken"', 'UNAVAILABLE', 'ONNX Runtime'] });
    expectThrows(() => r.get('broken', '1'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"broken" version "1"'] });
  });
});

describe('ModelRepository.close', () => {
  it('drains requests in flight, then refuses: get, load, ready', async () => {
    const r = await openRepository({ pollMs: 10 });
    const slow = r.get('slow');
    const x = new Tensor('float32', new Float32Array(64 * 512).fill(0.01), [64, 512]);
    const inFlight = Array.from({ length: 6 }, () => slow.infer({ x }));
    const closing = r.close();
    expect(r.close()).toBe(closing);
    expect(r.ready()).toBe(false);
    expectThrows(() => r.get('add'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['closed'] });
    await closing;
    const results = await Promise.all(inFlight);
    expect(results.every((result) => result.y!.shape[0] === 64)).toBe(true);
    expect(r.index().filter((entry) => entry.state !== 'UNAVAILABLE')).toEqual([]);
    await expectRejects(() => r.load('add'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['closed'] });
    await r.poll(); // a no-op once closed
    await expectRejects(() => slow.infer({ x }), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError' });
  });

  it('waits for a load under way', async () => {
    const r = await openRepository();
    const loading = r.load('slow');
    await r.close();
    await loading;
    expect(r.index().filter((entry) => entry.state === 'READY')).toEqual([]);
  });
});
