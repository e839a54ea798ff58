// Every KServe v2 REST endpoint but infer, happy path and errors, with fetch against a real server
// on 127.0.0.1: health, server and model metadata, readiness, the repository extension, and the
// protocol's { "error" } bodies (404 for an unknown model, version or route; 503 + Retry-After
// for a model that is known but not serving).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import type { ServedModels } from '../../../src/repository/served-models.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { type HttpServer, startHttpServer } from '../../../src/server/http/http-server.js';
import { call, inferJson, loadModels, startServer } from './kserve-client.js';

let models: Model[];
let server: HttpServer;
let url: string;

beforeAll(async () => {
  // 'fixed-shape' is unloaded by a test below; the others stay.
  models = await loadModels(['add', 'mlp', 'multi-io', 'fixed-shape']);
  server = await startServer(models);
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

describe('health', () => {
  it('GET /v2/health/live and /v2/health/ready answer 200', async () => {
    expect(await call(`${url}/v2/health/live`)).toMatchObject({ status: 200, body: { live: true } });
    expect(await call(`${url}/v2/health/ready`)).toMatchObject({ status: 200, body: { ready: true } });
  });
});

describe('a server whose models are not all READY', () => {
  it('GET /v2/health/ready answers 503 with Retry-After; live stays 200', async () => {
    // A repository still loading: StaticModels with ready() false (a simple stand-in collaborator).
    const base = new StaticModels(models.slice(0, 1));
    const loading: ServedModels = {
      get: (name, version) => base.get(name, version),
      index: () => base.index(),
      ready: () => false,
      load: (name) => base.load(name),
      unload: (name) => base.unload(name),
      close: () => base.close(),
    };
    const other = await startHttpServer({ models: loading, port: 0, host: '127.0.0.1' });
    try {
      const ready = await call(`${other.url}/v2/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('1');
      expect((ready.body as { error: string }).error).toMatch(/not ready/);
      expect((await call(`${other.url}/v2/health/live`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('server metadata', () => {
  it('GET /v2 names the server, its version and its extensions', async () => {
    const { status, body } = await call(`${url}/v2`);
    expect(status).toBe(200);
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(body).toEqual({ name: 'inferline', version, extensions: expect.arrayContaining(['binary_tensor_data', 'model_repository']) });
  });
});

describe('model metadata', () => {
  it('GET /v2/models/:m lists versions, platform, inputs and outputs with -1 for free dims', async () => {
    const { status, body } = await call(`${url}/v2/models/mlp`);
    expect(status).toBe(200);
    expect(body).toEqual({
      name: 'mlp',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 256] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 256] }],
    });
  });

  it('GET /v2/models/:m/versions/:v answers for that version', async () => {
    const { status, body } = await call(`${url}/v2/models/multi-io/versions/1`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'multi-io', inputs: [{ name: 'a' }, { name: 'b' }], outputs: [{ name: 'sum' }, { name: 'prod' }] });
  });

  it('404 with { error } for an unknown model or version (ERR_INFERLINE_UNKNOWN_MODEL)', async () => {
    const unknown = await call(`${url}/v2/models/nope`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: string }).error).toContain('"nope"');
    const version = await call(`${url}/v2/models/add/versions/7`);
    expect(version.status).toBe(404);
    expect((version.body as { error: string }).error).toMatch(/no version "7"/);
  });
});

describe('model readiness', () => {
  it('GET /v2/models/:m/ready and .../versions/:v/ready answer 200 for a serving model', async () => {
    expect(await call(`${url}/v2/models/add/ready`)).toMatchObject({ status: 200, body: { name: 'add', version: '1', ready: true } });
    expect(await call(`${url}/v2/models/add/versions/1/ready`)).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('404 for an unknown model', async () => {
    const { status, body } = await call(`${url}/v2/models/nope/ready`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: expect.stringContaining('nope') });
  });
});

describe('unknown routes', () => {
  it('404 with { error } naming the method and path', async () => {
    expect(await call(`${url}/v3/nothing`)).toEqual({ status: 404, headers: expect.anything(), body: { error: 'Not found: GET /v3/nothing' } });
  });
});

describe('repository extension', () => {
  it('POST /v2/repository/index lists every model version with its state', async () => {
    const { status, body } = await call(`${url}/v2/repository/index`, { method: 'POST' });
    expect(status).toBe(200);
    expect(body).toEqual(expect.arrayContaining([
      { name: 'add', version: '1', state: 'READY', reason: '' },
      { name: 'mlp', version: '1', state: 'READY', reason: '' },
    ]));
  });

  it('unload makes a model UNAVAILABLE: ready and infer answer 503 with Retry-After (ERR_INFERLINE_MODEL_NOT_READY); load cannot bring back a given model', async () => {
    const unloaded = await call(`${url}/v2/repository/models/fixed-shape/unload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unloaded).toMatchObject({ status: 200, body: {} });

    const ready = await call(`${url}/v2/models/fixed-shape/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect((ready.body as { error: string }).error).toMatch(/not ready/);

    const infer = await inferJson(`${url}/v2/models/fixed-shape/infer`, [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: new Float32Array(6) }]);
    expect(infer.status).toBe(503);
    expect(infer.headers.get('retry-after')).toBe('1');

    const { body: index } = await call(`${url}/v2/repository/index`, { method: 'POST', body: JSON.stringify({ ready: false }), headers: { 'content-type': 'application/json' } });
    expect(index).toContainEqual({ name: 'fixed-shape', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
    const { body: readyOnly } = await call(`${url}/v2/repository/index`, { method: 'POST', body: JSON.stringify({ ready: true }), headers: { 'content-type': 'application/json' } });
    expect((readyOnly as Array<{ name: string }>).map((entry) => entry.name)).not.toContain('fixed-shape');

    // StaticModels serves Models the caller loaded: it cannot load one again (ERR_INFERLINE_UNSUPPORTED → 400).
    const load = await call(`${url}/v2/repository/models/fixed-shape/load`, { method: 'POST' });
    expect(load.status).toBe(400);
    expect((load.body as { error: string }).error).toMatch(/cannot be loaded again/);
  });

  it('load and unload of an unknown model answer 404', async () => {
    expect((await call(`${url}/v2/repository/models/nope/load`, { method: 'POST' })).status).toBe(404);
    expect((await call(`${url}/v2/repository/models/nope/unload`, { method: 'POST' })).status).toBe(404);
  });

  it('a model that loads again answers 200 to load (ServedModels.load resolves)', async () => {
    expect(await call(`${url}/v2/repository/models/add/load`, { method: 'POST' })).toMatchObject({ status: 200, body: {} });
  });
});
