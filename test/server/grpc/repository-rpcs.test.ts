// The model repository extension over gRPC: RepositoryIndex, RepositoryModelLoad and
// RepositoryModelUnload, and what an unloaded model answers afterwards.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { generatedModel } from '../../helpers/paths.js';
import { InferenceClient, expectStatus, inferRequest } from './inference-client.js';

const kOptions = { session: { intraOpThreads: 1 }, instances: { count: 1 } } as const;
let server: GrpcServer;
let client: InferenceClient;
let add: Model;
let cast: Model;

beforeAll(async () => {
  add = await Model.load({ name: 'add', path: generatedModel('add'), ...kOptions });
  cast = await Model.load({ name: 'cast', version: '3', path: generatedModel('cast'), ...kOptions });
  server = await startGrpcServer({ models: new StaticModels([add, cast]), port: 0 });
  client = new InferenceClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await Promise.all([add.unload(), cast.unload()]);
});

const addRequest = (): object => inferRequest('add', [['x', 'float32', [1, 16], new Float32Array(16)]], true);

describe('model repository RPCs', () => {
  it('RepositoryIndex lists every model version with its state', async () => {
    expect(await client.call('RepositoryIndex', {})).toEqual({
      models: [
        { name: 'add', version: add.version, state: 'READY', reason: '' },
        { name: 'cast', version: '3', state: 'READY', reason: '' },
      ],
    });
  });

  it('RepositoryModelLoad of a model already loaded succeeds; of an unknown one is NOT_FOUND', async () => {
    expect(await client.call('RepositoryModelLoad', { model_name: 'add' })).toEqual({});
    await expectStatus(client.call('RepositoryModelLoad', { model_name: 'nope' }), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL', ['"nope"']);
    await expectStatus(client.call('RepositoryModelLoad', {}), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['names no model']);
  });

  it('RepositoryModelLoad parameters (a config override) are refused as UNIMPLEMENTED', async () => {
    await expectStatus(client.call('RepositoryModelLoad', { model_name: 'add', parameters: { config: { string_param: '{}' } } }),
      status.UNIMPLEMENTED, 'ERR_INFERLINE_UNSUPPORTED', ['config']);
  });

  it('RepositoryModelUnload: the model turns UNAVAILABLE, not ready, and refuses inference', async () => {
    await expect(client.call('ModelInfer', addRequest())).resolves.toHaveProperty('outputs');
    expect(await client.call('RepositoryModelUnload', { model_name: 'add' })).toEqual({});
    expect(await client.call('ModelReady', { name: 'add' })).toEqual({ ready: false });
    await expectStatus(client.call('ModelInfer', addRequest()), status.UNAVAILABLE, 'ERR_INFERLINE_MODEL_NOT_READY', ['"add"']);
    const index = (await client.call('RepositoryIndex', {})).models;
    expect(index).toContainEqual({ name: 'add', version: add.version, state: 'UNAVAILABLE', reason: 'unloaded' });
    expect((await client.call('RepositoryIndex', { ready: true })).models).toEqual([{ name: 'cast', version: '3', state: 'READY', reason: '' }]);
    // StaticModels holds models given to it already loaded: it cannot read them back.
    await expectStatus(client.call('RepositoryModelLoad', { model_name: 'add' }), status.UNIMPLEMENTED, 'ERR_INFERLINE_UNSUPPORTED');
    await expectStatus(client.call('RepositoryModelUnload', { model_name: 'nope' }), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL');
  });
});
