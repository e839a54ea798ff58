// The REST front inside servers the user already runs: the kserveHttp plugin registered into a
// fastify app (its parsers, auth and error handler stay inside it: the app's own routes are
// untouched), and createKserveHandler mounted in a plain node:http server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { kserveHttp } from '../../../src/server/http/kserve-http.js';
import { createKserveHandler } from '../../../src/server/http/node-handler.js';
import { expectThrows } from '../../helpers/expect-error.js';
import { call, type InputSpec, inferBinary, inferJson, inferMsgpack, loadModels } from './kserve-client.js';

let models: Model[];

beforeAll(async () => {
  models = await loadModels(['add']);
});

afterAll(async () => {
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const input: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(1) };
const twos = Buffer.from(new Float32Array(16).fill(2).buffer);

describe('kserveHttp in an existing fastify app', () => {
  it('serves the protocol under a prefix, beside the app\'s own routes, which keep their parsers and no auth', async () => {
    const app = Fastify();
    app.post('/echo', async (request) => ({ got: request.body }));
    await app.register(kserveHttp, { models: new StaticModels(models), auth: { token: 't' }, prefix: '/inference' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const headers = { authorization: 'Bearer t' };
      const response = await inferJson(`${base}/inference/v2/models/add/infer`, [input], { headers });
      expect(response.status).toBe(200);
      expect(response.outputs[0]!.bytes.equals(twos)).toBe(true);
      expect((await call(`${base}/inference/v2/models/add/infer`, { method: 'POST' })).status).toBe(401);
      // The app's own JSON parser and routes: no token needed, fastify's parsing.
      const echo = await call(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(echo).toMatchObject({ status: 200, body: { got: { a: 1 } } });
    } finally {
      await app.close();
    }
  });

  it('refuses bad options when registered', async () => {
    const app = Fastify();
    await expect(app.register(kserveHttp, { models: {} as never })).rejects.toMatchObject({ code: 'ERR_INFERLINE_INVALID_ARG' });
    const other = Fastify();
    await expect(other.register(kserveHttp, { models: new StaticModels(models), bodyLimt: 5 } as never)).rejects.toMatchObject({
      code: 'ERR_INFERLINE_UNKNOWN_OPTION', message: expect.stringContaining('did you mean "bodyLimit"?'),
    });
  });
});

describe('createKserveHandler in a node:http server', () => {
  let server: Server;
  let base: string;
  const handler = (): ReturnType<typeof createKserveHandler> => createKserveHandler({ models: new StaticModels(models) });
  let kserve: ReturnType<typeof createKserveHandler>;

  beforeAll(async () => {
    kserve = handler();
    server = createServer((request, response) => {
      if (request.url?.startsWith('/v2')) return kserve(request, response);
      response.end('mine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await kserve?.close();
  });

  it('answers every encoding, from the first request on (before ready() was awaited)', async () => {
    expect((await inferBinary(`${base}/v2/models/add/infer`, [input], { parameters: { binary_data_output: true } })).outputs[0]!.bytes.equals(twos)).toBe(true);
    expect((await inferJson(`${base}/v2/models/add/infer`, [input])).outputs[0]!.bytes.equals(twos)).toBe(true);
    expect((await inferMsgpack(`${base}/v2/models/add/infer`, [input])).outputs[0]!.bytes.equals(twos)).toBe(true);
    await kserve.ready();
    expect(await call(`${base}/v2/models/add`)).toMatchObject({ status: 200, body: { name: 'add' } });
  });

  it('leaves the rest of the server alone, and answers unknown /v2 routes with 404 { error }', async () => {
    expect(await (await fetch(`${base}/other`)).text()).toBe('mine');
    expect(await call(`${base}/v2/nothing`)).toMatchObject({ status: 404, body: { error: 'Not found: GET /v2/nothing' } });
  });

  it('checks its options at once', () => {
    expectThrows(() => createKserveHandler(undefined as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['createKserveHandler', 'models'] });
    expectThrows(() => createKserveHandler({ models: new StaticModels(models), auth: { token: '' } }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['auth.token'] });
    expectThrows(() => createKserveHandler({ models: new StaticModels(models), bodyLimit: 0 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['bodyLimit'] });
  });
});
