// Bearer-token auth on gRPC metadata, and the message size limit.
import { Metadata, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { InferenceClient, expectStatus, inferRequest } from './inference-client.js';

const kToken = 's3cret-token';
const kMaxMessageBytes = 64 * 1024;
let mlp: Model;
let server: GrpcServer;
let client: InferenceClient;

beforeAll(async () => {
  mlp = await Model.load({ name: 'mlp', path: generatedModel('mlp'), session: { intraOpThreads: 1 }, instances: { count: 1 }, batching: { maxBatchSize: 64 } });
  server = await startGrpcServer({ models: new StaticModels([mlp]), port: 0, auth: { token: kToken }, maxMessageBytes: kMaxMessageBytes });
  // The client's own limits are raised, so that only the server's limit is under test.
  client = new InferenceClient(server.port, { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await mlp?.unload();
});

const request = (rows: number): object => inferRequest('mlp', [['x', 'float32', [rows, 256], randomFloat32(rows * 256, rows)]], true);

describe('auth', () => {
  it('the right token is served', async () => {
    expect((await client.call('ModelInfer', request(1), { token: kToken })).outputs).toHaveLength(1);
    expect(await client.call('ModelMetadata', { name: 'mlp' }, { token: kToken })).toHaveProperty('name', 'mlp');
  });

  it('a missing or wrong token is UNAUTHENTICATED, on every RPC but the health checks', async () => {
    await expectStatus(client.call('ModelInfer', request(1)), status.UNAUTHENTICATED, 'ERR_INFERLINE_UNAUTHORIZED', ['authorization: Bearer']);
    await expectStatus(client.call('ModelInfer', request(1), { token: 'wrong' }), status.UNAUTHENTICATED, 'ERR_INFERLINE_UNAUTHORIZED', ['Invalid bearer token']);
    await expectStatus(client.call('ModelInfer', request(1), { token: `${kToken}x` }), status.UNAUTHENTICATED, 'ERR_INFERLINE_UNAUTHORIZED');
    const basic = new Metadata();
    basic.set('authorization', `Basic ${kToken}`);
    await expectStatus(client.call('ModelInfer', request(1), { metadata: basic }), status.UNAUTHENTICATED, 'ERR_INFERLINE_UNAUTHORIZED');
    for (const method of ['ModelMetadata', 'ModelReady', 'ServerMetadata', 'RepositoryIndex', 'RepositoryModelLoad', 'RepositoryModelUnload']) {
      await expectStatus(client.call(method, { name: 'mlp', model_name: 'mlp' }), status.UNAUTHENTICATED, 'ERR_INFERLINE_UNAUTHORIZED');
    }
    // Refused before anything ran: the model is still there.
    expect(await client.call('ModelReady', { name: 'mlp' }, { token: kToken })).toEqual({ ready: true });
    expect(await client.call('ServerLive')).toEqual({ live: true });
    expect(await client.call('ServerReady')).toEqual({ ready: true });
  });
});

describe('message size', () => {
  it('a request over maxMessageBytes is RESOURCE_EXHAUSTED; one under it is served', async () => {
    const before = mlp.stats().requests;
    // 60 rows of 1 KiB fit in 64 KiB; 70 do not.
    expect((await client.call('ModelInfer', request(60), { token: kToken })).outputs).toHaveLength(1);
    await expectStatus(client.call('ModelInfer', request(70), { token: kToken }), status.RESOURCE_EXHAUSTED);
    // The oversized one never reached the model.
    expect(mlp.stats().requests).toEqual({ success: before.success + 1, failure: before.failure });
  });
});
