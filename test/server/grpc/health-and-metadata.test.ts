// ServerLive, ServerReady, ServerMetadata, ModelReady and ModelMetadata as the protocol defines
// them, over a real gRPC connection.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from '../../../src/index.js';
import type { ModelIndexEntry, ServedModels } from '../../../src/repository/served-models.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { generatedModel } from '../../helpers/paths.js';
import { InferenceClient } from './inference-client.js';

const kSession = { intraOpThreads: 1 } as const;
const kVersion = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
let server: GrpcServer;
let client: InferenceClient;
const models: Model[] = [];
/** Whether the served models report ready: a simple collaborator around StaticModels. */
let serverReady = true;

beforeAll(async () => {
  models.push(await Model.load({ name: 'mlp', path: generatedModel('mlp'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'mlp', version: '2', path: generatedModel('mlp'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'string', path: generatedModel('string'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'fixed', path: generatedModel('fixed-shape'), session: kSession, instances: { count: 1 } }));
  const inner = new StaticModels(models);
  const served: ServedModels = {
    get: (name, version) => inner.get(name, version),
    index: (): ModelIndexEntry[] => inner.index(),
    ready: () => serverReady,
    load: (name) => inner.load(name),
    unload: (name) => inner.unload(name),
    close: () => inner.close(),
  };
  server = await startGrpcServer({ models: served, port: 0 });
  client = new InferenceClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await Promise.all(models.map((model) => model.unload()));
});

describe('server health and metadata', () => {
  it('ServerLive is true', async () => {
    expect(await client.call('ServerLive')).toEqual({ live: true });
  });

  it('ServerReady follows the served models', async () => {
    expect(await client.call('ServerReady')).toEqual({ ready: true });
    serverReady = false;
    try {
      expect(await client.call('ServerReady')).toEqual({ ready: false });
    } finally {
      serverReady = true;
    }
  });

  it('ServerMetadata names inferline, its version and its extensions', async () => {
    expect(await client.call('ServerMetadata')).toEqual({ name: 'inferline', version: kVersion, extensions: ['model_repository', 'schedule_policy'] });
  });
});

describe('model readiness and metadata', () => {
  it('ModelReady: a loaded model and version are ready', async () => {
    expect(await client.call('ModelReady', { name: 'mlp' })).toEqual({ ready: true });
    expect(await client.call('ModelReady', { name: 'mlp', version: '2' })).toEqual({ ready: true });
  });

  it('ModelMetadata: datatypes, shapes with -1 for free dims, platform, versions', async () => {
    const mlp = await client.call('ModelMetadata', { name: 'mlp' });
    expect(mlp).toEqual({
      name: 'mlp',
      versions: [models[0]!.version, '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['-1', '256'] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: ['-1', '256'] }],
    });
    expect(await client.call('ModelMetadata', { name: 'string', version: models[2]!.version })).toMatchObject({
      inputs: [{ name: 'x', datatype: 'BYTES', shape: ['-1'] }],
      outputs: [{ name: 'y', datatype: 'BYTES', shape: ['-1'] }],
    });
    expect(await client.call('ModelMetadata', { name: 'fixed' })).toMatchObject({ inputs: [{ name: 'x', datatype: 'FP32', shape: ['2', '3'] }] });
  });

  it('a model without a version given is served at its newest version', async () => {
    const response = await client.call('ModelInfer', {
      model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 256] }], raw_input_contents: [Buffer.alloc(1024)],
    });
    expect(response.model_version).toBe('2');
  });
});
