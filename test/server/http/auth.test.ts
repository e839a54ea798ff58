// Bearer-token auth: every route but the health probes needs `Authorization: Bearer <token>`;
// missing or wrong tokens get 401 with WWW-Authenticate and the protocol's { error } body. The
// probes stay open so that kubelet and load balancers, which send no token, can use them (as
// KServe and Triton leave health to the platform).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import type { HttpServer } from '../../../src/server/http/http-server.js';
import { call, inferBinary, inferJson, type InputSpec, loadModels, startServer } from './kserve-client.js';

const kToken = 'tok-3f9a1c';
let models: Model[];
let server: HttpServer;

beforeAll(async () => {
  models = await loadModels(['add']);
  server = await startServer(models, { auth: { token: kToken }, bodyLimit: 1 << 20 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const input: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) };

describe('bearer auth', () => {
  it('health probes answer without a token', async () => {
    expect((await call(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await call(`${server.url}/v2/health/ready`)).status).toBe(200);
  });

  it('a missing token gets 401 with WWW-Authenticate: Bearer on every other route', async () => {
    for (const [path, method] of [['/v2', 'GET'], ['/v2/models/add', 'GET'], ['/v2/models/add/ready', 'GET'], ['/v2/repository/index', 'POST'], ['/v2/repository/models/add/unload', 'POST']] as const) {
      const { status, headers, body } = await call(`${server.url}${path}`, { method });
      expect(status, path).toBe(401);
      expect(headers.get('www-authenticate'), path).toBe('Bearer');
      expect(body, path).toEqual({ error: expect.stringContaining('Missing Authorization header') });
    }
    const infer = await inferJson(`${server.url}/v2/models/add/infer`, [input]);
    expect(infer.status).toBe(401);
  });

  it('a wrong token, or another scheme, gets 401', async () => {
    const wrong = await call(`${server.url}/v2`, { headers: { authorization: `Bearer ${kToken}x` } });
    expect(wrong).toMatchObject({ status: 401, body: { error: 'Wrong bearer token' } });
    const prefix = await call(`${server.url}/v2`, { headers: { authorization: `Bearer ${kToken.slice(0, -1)}` } });
    expect(prefix.status).toBe(401);
    const basic = await call(`${server.url}/v2`, { headers: { authorization: `Basic ${Buffer.from(`u:${kToken}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    const binary = await inferBinary(`${server.url}/v2/models/add/infer`, [input], { headers: { authorization: 'Bearer nope' } });
    expect(binary.status).toBe(401);
  });

  it('the right token is served', async () => {
    const headers = { authorization: `Bearer ${kToken}` };
    expect((await call(`${server.url}/v2`, { headers })).status).toBe(200);
    const infer = await inferBinary(`${server.url}/v2/models/add/infer`, [input], { headers });
    expect(infer.status).toBe(200);
    expect(infer.outputs[0]!.bytes.equals(Buffer.from(new Float32Array(16).fill(1).buffer))).toBe(true);
  });

  it('an unauthenticated upload is refused before its body is read', async () => {
    // 8 MiB against a 1 MiB limit: the answer is 401, not 413, since the check runs on the headers.
    const response = await fetch(`${server.url}/v2/models/add/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc(8 << 20, 32) });
    expect(response.status).toBe(401);
  });
});
