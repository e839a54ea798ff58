// Hot reload while clients send requests without pause: a new version, a rewritten model file or
// config, a removed version or model, a corrupt file. Not one request may fail, and responses
// switch to the new files once the poll that found them has finished.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelRepository } from '../../src/repository/model-repository.js';
import type { ModelStateEvent } from '../../src/repository/model-record.js';
import { expectRejects, expectThrows } from '../helpers/expect-error.js';
import { addConstantModel, addedConstant, addFeeds, ClientLoop, eventually, kLight, TempRepository } from './repository-fixtures.js';

const kConfig = { ...kLight, batching: { maxBatchSize: 8 } };

let temp: TempRepository;
let repo: ModelRepository | undefined;
let events: ModelStateEvent[];
let loop: ClientLoop | undefined;

beforeEach(() => {
  temp = new TempRepository();
  events = [];
  temp.writeVersion('m', 1, addConstantModel(1));
  temp.writeConfig('m', kConfig);
  temp.writeVersion('other', 1, addConstantModel(100));
  temp.writeConfig('other', kLight);
});

afterEach(async () => {
  await loop?.stop();
  loop = undefined;
  await repo?.close();
  repo = undefined;
  temp.remove();
});

async function openWithTraffic(options: { pollMs?: number } = {}): Promise<ClientLoop> {
  repo = await ModelRepository.open(temp.dir, { ...options, onState: (event) => events.push(event) });
  loop = new ClientLoop(repo, 'm');
  await loop.started;
  return loop;
}

function versionsOf(name: string): Array<[string, string]> {
  return repo!.index().filter((entry) => entry.name === name).map((entry) => [entry.version, entry.state]);
}

/** Stops the clients and checks: no failure, old answers first, only `next` after the switch. */
async function expectSwitched(clients: ClientLoop, switchedAt: number, previous: number, next: number): Promise<void> {
  await clients.waitForMore(16);
  const { constants, failures } = await clients.stop();
  loop = undefined;
  expect(failures).toEqual([]);
  expect(constants[0]).toBe(previous);
  expect(constants.slice(0, switchedAt).every((k) => k === previous || k === next)).toBe(true);
  // Once the poll has resolved, the old version has been drained: every later answer is new.
  expect(new Set(constants.slice(switchedAt))).toEqual(new Set([next]));
}

describe('hot reload under load', () => {
  it('a new version directory: loaded to READY before the old one retires; zero failed requests', async () => {
    const clients = await openWithTraffic();
    temp.writeVersion('m', 2, addConstantModel(2));
    const atPollStart = clients.count;
    await repo!.poll();
    const switchedAt = clients.count;
    // Each caller had a request in flight on version 1 when the poll began, answered before it ended.
    expect(switchedAt).toBeGreaterThan(atPollStart);
    expect(versionsOf('m')).toEqual([['2', 'READY']]);
    await expectSwitched(clients, switchedAt, 1, 2);
    const order = events.filter((e) => e.name === 'm').map((e) => `${e.version} ${e.state}`);
    expect(order).toEqual(['1 LOADING', '1 READY', '2 LOADING', '2 READY', '1 UNLOADING', '1 UNAVAILABLE']);
  });

  it('the poll timer finds the new version on its own', async () => {
    const clients = await openWithTraffic({ pollMs: 20 });
    temp.writeVersion('m', 2, addConstantModel(2));
    await eventually(() => versionsOf('m').length === 1 && versionsOf('m')[0]![0] === '2', 'version 2 to replace version 1');
    // The retirement of version 1 ran in the same scan; wait for a scan after it.
    await repo!.poll();
    await expectSwitched(clients, clients.count, 1, 2);
  });

  it('model.onnx rewritten in place: the version reloads', async () => {
    const clients = await openWithTraffic();
    writeFileSync(join(temp.dir, 'm', '1', 'model.onnx'), addConstantModel(5));
    const before = repo!.get('m');
    await repo!.poll();
    expect(repo!.get('m')).not.toBe(before);
    expect(versionsOf('m')).toEqual([['1', 'READY']]);
    await expectSwitched(clients, clients.count, 1, 5);
  });

  it('config.json changed: every version reloads with the new options', async () => {
    const clients = await openWithTraffic();
    expect(repo!.get('m').batching).toBe(true);
    temp.writeConfig('m', { ...kLight, batching: false });
    await repo!.poll();
    expect(repo!.get('m').batching).toBe(false);
    const { failures } = await clients.stop();
    loop = undefined;
    expect(failures).toEqual([]);
  });

  it('a corrupt new version leaves the old one serving; fixing it switches over', async () => {
    const clients = await openWithTraffic();
    temp.writeVersion('m', 2, new TextEncoder().encode('not an onnx model'));
    await repo!.poll();
    const rows = repo!.index().filter((entry) => entry.name === 'm');
    expect(rows.map((row) => [row.version, row.state])).toEqual([['1', 'READY'], ['2', 'UNAVAILABLE']]);
    expect(rows[1]!.reason).toContain('version "2"');
    expect(rows[1]!.reason).toContain('Protobuf parsing failed');
    expectThrows(() => repo!.get('m', '2'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['version "2"'] });
    expect(addedConstant(await repo!.get('other').infer(addFeeds()))).toBe(100);
    await repo!.poll(); // unchanged files are not retried
    expect(events.filter((e) => e.version === '2' && e.state === 'LOADING')).toHaveLength(1);
    // An explicit load retries, and fails as a whole (as Triton's does) while version 1 serves on.
    await expectRejects(() => repo!.load('m'), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: ['"m" version "2"', 'Protobuf parsing failed'] });
    expect(versionsOf('m')).toEqual([['1', 'READY'], ['2', 'UNAVAILABLE']]);

    temp.writeVersion('m', 2, addConstantModel(2));
    await repo!.poll();
    expect(versionsOf('m')).toEqual([['2', 'READY']]);
    await expectSwitched(clients, clients.count, 1, 2);
  });

  it('a corrupt rewrite of the serving version keeps the loaded one serving, with the reason', async () => {
    const clients = await openWithTraffic();
    writeFileSync(join(temp.dir, 'm', '1', 'model.onnx'), new Uint8Array([0xff, 0xff, 0xff]));
    await repo!.poll();
    const [row] = repo!.index();
    expect(row!.state).toBe('READY');
    expect(row!.reason).toContain('reload failed, still serving the files loaded before');
    const { constants, failures } = await clients.stop();
    loop = undefined;
    expect(failures).toEqual([]);
    expect(new Set(constants)).toEqual(new Set([1]));
  });

  it('a removed version directory is unloaded (policy all)', async () => {
    temp.writeVersion('m', 2, addConstantModel(2));
    temp.writeConfig('m', { ...kConfig, versionPolicy: { all: {} } });
    repo = await ModelRepository.open(temp.dir);
    const one = repo.get('m', '1');
    temp.removePath('m', '1');
    await repo.poll();
    expect(versionsOf('m')).toEqual([['2', 'READY']]);
    expectThrows(() => repo!.get('m', '1'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['no version "1"'] });
    await expectRejects(() => one.infer(addFeeds()), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError' });
  });

  it('a removed model directory unloads the model, after its requests in flight', async () => {
    repo = await ModelRepository.open(temp.dir, { onState: (event) => events.push(event) });
    const model = repo.get('m');
    const inFlight = Array.from({ length: 8 }, () => model.infer(addFeeds()));
    temp.removePath('m');
    await repo.poll();
    expect((await Promise.all(inFlight)).map(addedConstant)).toEqual(Array(8).fill(1));
    expect(repo.index().map((entry) => entry.name)).toEqual(['other']);
    expectThrows(() => repo!.get('m'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"m"'] });
    await expectRejects(() => model.infer(addFeeds()), { code: 'ERR_INFERLINE_MODEL_UNLOADED', kind: 'InferlineError' });
    expect(events.filter((e) => e.name === 'm').slice(-2).map((e) => e.state)).toEqual(['UNLOADING', 'UNAVAILABLE']);
    expect(addedConstant(await repo.get('other').infer(addFeeds()))).toBe(100);
  });

  it('a new model directory is loaded by the next poll; a corrupt one is reported, the rest serve', async () => {
    repo = await ModelRepository.open(temp.dir);
    temp.writeVersion('fresh', 1, addConstantModel(7));
    temp.writeConfig('fresh', kLight);
    temp.writeVersion('corrupt', 1, new Uint8Array(64));
    temp.writeConfig('corrupt', kLight);
    await repo.poll();
    expect(addedConstant(await repo.get('fresh').infer(addFeeds()))).toBe(7);
    expect(versionsOf('corrupt')).toEqual([['1', 'UNAVAILABLE']]);
    expect(addedConstant(await repo.get('m').infer(addFeeds()))).toBe(1);
  });

  it('a repository directory that cannot be read fails the poll; every model keeps serving', async () => {
    const warnings: Array<Error & { code?: string }> = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const clients = await openWithTraffic({ pollMs: 10 });
      temp.remove();
      await eventually(() => warnings.some((w) => w.code === 'INFERLINE_REPOSITORY_POLL_FAILED'), 'a poll-failure warning');
      await expectRejects(() => repo!.poll(), { code: 'ERR_INFERLINE_MODEL_CONFIG', kind: 'InferlineError', includes: [temp.dir, 'cannot be read'] });
      expect(repo!.index().map((entry) => entry.state)).toEqual(['READY', 'READY']);
      await clients.waitForMore(8);
      const { constants, failures } = await clients.stop();
      loop = undefined;
      expect(failures).toEqual([]);
      expect(new Set(constants)).toEqual(new Set([1]));
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('concurrent polls run one after another: a new version is loaded once', async () => {
    repo = await ModelRepository.open(temp.dir, { onState: (event) => events.push(event) });
    temp.writeVersion('m', 2, addConstantModel(2));
    await Promise.all([repo.poll(), repo.poll(), repo.poll()]);
    expect(events.filter((e) => e.name === 'm' && e.version === '2').map((e) => e.state)).toEqual(['LOADING', 'READY']);
    expect(versionsOf('m')).toEqual([['2', 'READY']]);
  });
});
