// serve(): the whole front in one call. From a repository directory (opened, served, closed by
// close()), or from Models the caller loaded (left loaded by close()); REST and gRPC ports;
// /metrics on the REST port or a port of its own, counting the requests sent; option errors.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import { serve } from '../../../src/server/serve.js';
import { expectRejects } from '../../helpers/expect-error.js';
import { generatedModel } from '../../helpers/paths.js';
import { call, type InputSpec, inferBinary, inferJson, loadModels } from './kserve-client.js';

let repository: string;
let models: Model[];

beforeAll(async () => {
  repository = mkdtempSync(join(tmpdir(), 'inferline-serve-'));
  mkdirSync(join(repository, 'add', '1'), { recursive: true });
  copyFileSync(generatedModel('add'), join(repository, 'add', '1', 'model.onnx'));
  models = await loadModels(['multi-io']);
});

afterAll(async () => {
  rmSync(repository, { recursive: true, force: true });
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const addInput: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(0.5) };
const local = { port: 0, host: '127.0.0.1' };

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port free a moment ago (listened on, then closed). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('serve({ repository: dir })', () => {
  it('serves the directory\'s models over REST with /metrics on the same port, and close() stops it all', async () => {
    const server = await serve({ repository, http: local, grpc: false, metrics: true });
    try {
      expect(server.http?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.grpc).toBeUndefined();
      const ok = await inferBinary(`${server.http!.url}/v2/models/add/infer`, [addInput], { parameters: { binary_data_output: true } });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.outputs[0]!.bytes.equals(Buffer.from(new Float32Array(16).fill(1.5).buffer))).toBe(true);
      expect((await inferJson(`${server.http!.url}/v2/models/add/infer`, [{ ...addInput, shape: [1, 15] }])).status).toBe(400);

      const metrics = await fetch(`${server.http!.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toMatch(/^# (HELP|TYPE) /m);
      // The front's own counts: one OK and one 400 for model "add" over http.
      const lines = text.split('\n').filter((line) => !line.startsWith('#') && line.includes('protocol="http"') && line.includes('model="add"'));
      expect(lines.some((line) => line.includes('status="OK"'))).toBe(true);
      expect(lines.some((line) => line.includes('status="400"'))).toBe(true);
    } finally {
      await server.close();
    }
    expect(await accepts(Number(new URL(server.http!.url).port))).toBe(false);
    // The repository serve() opened is closed with it.
    expect(() => server.models.get('add')).toThrow();
  });
});

describe('serve({ models })', () => {
  it('opens REST and gRPC ports and a metrics port; close() leaves the caller\'s models loaded', async () => {
    const server = await serve({ models, http: local, grpc: local, metrics: local, auth: { token: 'tk' } });
    try {
      expect(server.grpc!.port).toBeGreaterThan(0);
      expect(await accepts(server.grpc!.port)).toBe(true);
      const headers = { authorization: 'Bearer tk' };
      expect(await call(`${server.http!.url}/v2/models/multi-io`, { headers })).toMatchObject({ status: 200, body: { name: 'multi-io' } });
      expect((await call(`${server.http!.url}/v2/models/multi-io`)).status).toBe(401);
      expect(server.metrics!.url).toMatch(/\/metrics$/);
      expect((await fetch(server.metrics!.url)).status).toBe(401);
      const scrape = await fetch(server.metrics!.url, { headers });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('# TYPE');
      // No /metrics on the REST port when it has a port of its own.
      expect((await call(`${server.http!.url}/metrics`, { headers })).status).toBe(404);
    } finally {
      await server.close();
    }
    expect(await accepts(server.grpc!.port)).toBe(false);
    expect(await accepts(server.metrics!.port)).toBe(false);
    const still = await models[0]!.infer({ a: { dtype: 'float32', data: new Float32Array(4), shape: [1, 4] }, b: { dtype: 'float32', data: new Float32Array(4), shape: [1, 4] } });
    expect(still.sum!.shape).toEqual([1, 4]);
  });

  it('close() can be called twice', async () => {
    const server = await serve({ models, http: local, grpc: false });
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });
});

describe('serve() option errors', () => {
  it('needs exactly one source of models', async () => {
    await expectRejects(() => serve({ http: local } as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['either repository', 'or models'] });
    await expectRejects(() => serve({ repository, models, http: local }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['not both'] });
    await expectRejects(() => serve({ models: [] }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['non-empty array of loaded Models'] });
    await expectRejects(() => serve({ repository: 42 as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['ServedModels'] });
  });

  it('names misspelt options and bad values', async () => {
    await expectRejects(() => serve({ models, htp: local } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"htp"', 'did you mean "http"?'] });
    await expectRejects(() => serve({ models, http: { port: 70000 } }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['serve: http.port', '65535'] });
    await expectRejects(() => serve({ models, http: false, metrics: true }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['metrics: { port }'] });
    await expectRejects(() => serve({ models, pollMs: 10 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['pollMs applies to a repository directory'] });
    await expectRejects(() => serve({ models, auth: { token: 'a b' } }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['auth.token'] });
  });

  it('a port in use fails with ERR_INFERLINE_INTERNAL, and what was started is closed again', async () => {
    const first = await serve({ models, http: local, grpc: false });
    try {
      const port = Number(new URL(first.http!.url).port);
      await expectRejects(() => serve({ models, http: { port, host: '127.0.0.1' }, grpc: false }), { code: 'ERR_INFERLINE_INTERNAL', kind: 'InferlineError', includes: [`${port}`] });
      // REST starts on a free port, then gRPC fails on the taken one: the REST port is released.
      const free = await freePort();
      await expectRejects(() => serve({ models, http: { port: free, host: '127.0.0.1' }, grpc: { port, host: '127.0.0.1' } }), { code: 'ERR_INFERLINE_INTERNAL', kind: 'InferlineError' });
      expect(await accepts(free)).toBe(false);
    } finally {
      await first.close();
    }
  });
});
