// The statuses an infer request gets when the model cannot serve it now: 503 with Retry-After for
// a full queue or an unloaded model, 504 for a queue timeout; and a request that meets a model
// being retired (hot reload) is tried once more on its successor instead of failing. Plus the
// error behind each status, raised by the real code paths and mapped by httpStatusOf.
//
// One instance of slow.onnx; the requests ahead of the HTTP one are submitted in-process in one
// tick, so the first runs at once and the rest are queued (as in test/model/queue-policy.test.ts).
// Each run on [512,512] takes about 100 ms, against an HTTP round trip of a few ms: the queue is
// still full (and the 1 ms timeout still passes) when the HTTP request arrives.
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Model } from '../../../src/model/model.js';
import type { ServedModels } from '../../../src/repository/served-models.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { bearerCheck } from '../../../src/server/http/bearer-auth.js';
import { type HttpServer, startHttpServer } from '../../../src/server/http/http-server.js';
import { readBody } from '../../../src/server/http/read-body.js';
import { httpStatusOf } from '../../../src/server/kserve/http-status.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { expectRejects, expectThrows } from '../../helpers/expect-error.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { type InputSpec, inferBinary, loadModels } from './kserve-client.js';

const kWidth = 512;
let server: HttpServer | undefined;
const loaded: Model[] = [];

afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(loaded.splice(0).map((model) => model.unload()));
});

async function loadSlow(batching: Record<string, unknown>): Promise<Model> {
  const model = await Model.load({ name: 'slow', path: generatedModel('slow'), session: { intraOpThreads: 1 }, instances: { count: 1 }, batching });
  loaded.push(model);
  return model;
}

const slowFeeds = (seed: number) => ({ x: new Tensor('float32', randomFloat32(kWidth * kWidth, seed), [kWidth, kWidth]) });
const slowInput = (rows: number): InputSpec => ({ name: 'x', datatype: 'FP32', shape: [rows, kWidth], data: randomFloat32(rows * kWidth, 9) });

describe('503 and 504 from the queue', () => {
  it('a full queue answers 503 with Retry-After (ERR_INFERLINE_QUEUE_FULL); the queued requests are served', async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth, maxQueueSize: 2 });
    server = await startHttpServer({ models: new StaticModels([slow]), port: 0, host: '127.0.0.1' });
    const ahead = [slow.infer(slowFeeds(1)), slow.infer(slowFeeds(2)), slow.infer(slowFeeds(3))];
    expect(slow.stats().queueDepth).toBe(2);
    const response = await inferBinary(`${server.url}/v2/models/slow/infer`, [slowInput(1)]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.error).toMatch(/queue full/);
    for (const result of await Promise.all(ahead)) expect(result.y!.shape).toEqual([kWidth, kWidth]);
  });

  it('a request still queued when its parameters.timeout (µs) passes answers 504 (ERR_INFERLINE_TIMEOUT)', async () => {
    const slow = await loadSlow({ maxBatchSize: kWidth });
    server = await startHttpServer({ models: new StaticModels([slow]), port: 0, host: '127.0.0.1' });
    const ahead = [slow.infer(slowFeeds(1)), slow.infer(slowFeeds(2))];
    const response = await inferBinary(`${server.url}/v2/models/slow/infer`, [slowInput(1)], { parameters: { timeout: 1000 } });
    expect(response.status).toBe(504);
    expect(response.body.error).toMatch(/waited 1 ms in the queue/);
    await Promise.all(ahead);
  });
});

describe('models being retired', () => {
  const addInput: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) };

  it('a model unloaded under the server answers 503 with Retry-After (ERR_INFERLINE_MODEL_UNLOADED)', async () => {
    const [add] = await loadModels(['add']);
    server = await startHttpServer({ models: new StaticModels([add!]), port: 0, host: '127.0.0.1' });
    await add!.unload();
    const response = await inferBinary(`${server.url}/v2/models/add/infer`, [addInput]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.error).toMatch(/unloaded/);
  });

  it('a request that got the old version after it was retired is served by the new one', async () => {
    const [old, successor] = await loadModels(['add', 'add']);
    loaded.push(successor!);
    await old!.unload();
    // A repository mid-reload: the first lookup still hands out the retired version.
    const handedOut: Model[] = [old!];
    const base = new StaticModels([successor!]);
    const reloading: ServedModels = {
      get: (name, version) => handedOut.shift() ?? base.get(name, version),
      index: () => base.index(),
      ready: () => true,
      load: (name) => base.load(name),
      unload: (name) => base.unload(name),
      close: () => base.close(),
    };
    server = await startHttpServer({ models: reloading, port: 0, host: '127.0.0.1' });
    const response = await inferBinary(`${server.url}/v2/models/add/infer`, [addInput]);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(handedOut).toHaveLength(0);
  });
});

describe('the error behind each status', () => {
  it('401: a missing or wrong bearer token is ERR_INFERLINE_UNAUTHORIZED', () => {
    const check = bearerCheck('s3cret');
    const missing = expectThrows(() => check({}), { code: 'ERR_INFERLINE_UNAUTHORIZED', kind: 'InferlineError', includes: ['Missing Authorization header'] });
    expect(httpStatusOf(missing)).toBe(401);
    expectThrows(() => check({ authorization: 'Bearer wrong' }), { code: 'ERR_INFERLINE_UNAUTHORIZED', kind: 'InferlineError', includes: ['Wrong bearer token'] });
    expectThrows(() => check({ authorization: 'Basic czNjcmV0' }), { code: 'ERR_INFERLINE_UNAUTHORIZED', kind: 'InferlineError', includes: ['Bearer <token>'] });
    expect(() => check({ authorization: 'Bearer s3cret' })).not.toThrow();
    expect(() => check({ authorization: 'bearer  s3cret ' })).not.toThrow();
  });

  it('413: a body over the limit is ERR_INFERLINE_PAYLOAD_TOO_LARGE, declared or streamed', async () => {
    const declared = await expectRejects(() => readBody(Readable.from([Buffer.alloc(10)]), 10, 4, 0), {
      code: 'ERR_INFERLINE_PAYLOAD_TOO_LARGE', kind: 'InferlineError', includes: ['of 10 bytes', 'limit of 4 bytes', 'bodyLimit'],
    });
    expect(httpStatusOf(declared)).toBe(413);
    await expectRejects(() => readBody(Readable.from([Buffer.alloc(3), Buffer.alloc(3)]), undefined, 4, 0), {
      code: 'ERR_INFERLINE_PAYLOAD_TOO_LARGE', kind: 'InferlineError', includes: ['limit of 4 bytes'],
    });
  });

  it('404: ERR_INFERLINE_UNKNOWN_MODEL; 503: ERR_INFERLINE_MODEL_NOT_READY', async () => {
    const [add] = await loadModels(['add']);
    loaded.push(add!);
    const models = new StaticModels([add!]);
    expect(httpStatusOf(expectThrows(() => models.get('nope'), { code: 'ERR_INFERLINE_UNKNOWN_MODEL', kind: 'InferlineError', includes: ['"nope"'] }))).toBe(404);
    await models.unload('add');
    loaded.pop();
    expect(httpStatusOf(expectThrows(() => models.get('add'), { code: 'ERR_INFERLINE_MODEL_NOT_READY', kind: 'InferlineError', includes: ['"add"'] }))).toBe(503);
  });

  it('the rest of the table: 400s, 503s, 504, and 500 for anything else', () => {
    const status = (code: string) => httpStatusOf(Object.assign(new Error('x'), { code }));
    for (const code of ['ERR_INFERLINE_INVALID_ARG', 'ERR_INFERLINE_INVALID_TENSOR', 'ERR_INFERLINE_DTYPE_MISMATCH', 'ERR_INFERLINE_SHAPE_MISMATCH', 'ERR_INFERLINE_UNKNOWN_INPUT', 'ERR_INFERLINE_UNKNOWN_OUTPUT', 'ERR_INFERLINE_MISSING_INPUT', 'ERR_INFERLINE_HANDLER_FAILED', 'ERR_INFERLINE_HANDLER_RESULT']) {
      expect(status(code), code).toBe(400);
    }
    for (const code of ['ERR_INFERLINE_QUEUE_FULL', 'ERR_INFERLINE_MODEL_UNLOADED']) expect(status(code), code).toBe(503);
    expect(status('ERR_INFERLINE_TIMEOUT')).toBe(504);
    for (const code of ['ERR_INFERLINE_ORT', 'ERR_INFERLINE_INTERNAL', 'ERR_INFERLINE_HANDLER_LOAD', 'ERR_INFERLINE_WORKER_CRASHED']) expect(status(code), code).toBe(500);
    expect(httpStatusOf(Object.assign(new Error('fastify'), { statusCode: 415 }))).toBe(415);
    expect(httpStatusOf('a string')).toBe(500);
  });
});
