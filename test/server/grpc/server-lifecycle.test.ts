// startGrpcServer's options are checked before anything listens; close() drains calls in
// flight, refuses new ones, releases the port and leaves the models to their owner.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Tensor } from '../../../src/index.js';
import type { ServedModels } from '../../../src/repository/served-models.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { expectRejects } from '../../helpers/expect-error.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { InferenceClient, expectStatus, inferRequest } from './inference-client.js';

const kWidth = 512;
let slow: Model;
let models: StaticModels;

beforeAll(async () => {
  slow = await Model.load({ name: 'slow', path: generatedModel('slow'), session: { intraOpThreads: 1 }, instances: { count: 1 }, batching: { maxBatchSize: kWidth } });
  models = new StaticModels([slow]);
});

afterAll(async () => {
  await slow?.unload();
});

describe('options', () => {
  it('are checked, naming the option', async () => {
    await expectRejects(() => startGrpcServer(undefined as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['models'] });
    await expectRejects(() => startGrpcServer({ models: {} as ServedModels }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['ServedModels'] });
    await expectRejects(() => startGrpcServer({ models, port: 70000 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['port', '65535'] });
    await expectRejects(() => startGrpcServer({ models, port: 0, host: '' }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['host'] });
    await expectRejects(() => startGrpcServer({ models, port: 0, auth: { token: '' } }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['auth', 'token'] });
    await expectRejects(() => startGrpcServer({ models, port: 0, maxMessageBytes: 0 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['maxMessageBytes'] });
    await expectRejects(() => startGrpcServer({ models, port: 0, drainTimeoutMs: -1 }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'RangeError', includes: ['drainTimeoutMs'] });
    await expectRejects(() => startGrpcServer({ models, port: 0, observeRequest: 5 as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['observeRequest'] });
    await expectRejects(() => startGrpcServer({ models, prot: 0 } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"prot"', '"port"'] });
  });

  it('a port in use is reported', async () => {
    const first = await startGrpcServer({ models, port: 0 });
    try {
      await expectRejects(() => startGrpcServer({ models, port: first.port }), { code: 'ERR_INFERLINE_INTERNAL', kind: 'InferlineError', includes: [`127.0.0.1:${first.port}`] });
    } finally {
      await first.close();
    }
  });
});

describe('close()', () => {
  it('lets a call in flight finish, then refuses new calls; the model stays loaded', async () => {
    // A collaborator that says when the server has the call: get() runs as ModelInfer starts.
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const watched: ServedModels = {
      get: (name, version) => {
        arrived();
        return models.get(name, version);
      },
      index: () => models.index(),
      ready: () => models.ready(),
      load: (name) => models.load(name),
      unload: (name) => models.unload(name),
      close: () => models.close(),
    };
    const server = await startGrpcServer({ models: watched, port: 0 });
    const client = new InferenceClient(server.port);
    try {
      // The instance is busy with an in-process request, so the gRPC call is still queued when close() starts.
      const running = slow.infer({ x: new Tensor('float32', randomFloat32(kWidth * kWidth, 1), [kWidth, kWidth]) });
      const call = client.call<any>('ModelInfer', inferRequest('slow', [['x', 'float32', [2, kWidth], randomFloat32(2 * kWidth, 2)]], true));
      await inFlight;
      const closed = server.close();
      expect(server.close()).toBe(closed);
      const response = await call;
      expect(response.outputs[0].shape).toEqual(['2', String(kWidth)]);
      await closed;
      await running;
      await expectStatus(client.call('ServerLive'), status.UNAVAILABLE);
      expect(slow.stats().requests.failure).toBe(0);
      await expect(slow.infer({ x: new Tensor('float32', randomFloat32(kWidth, 3), [1, kWidth]) })).resolves.toHaveProperty('y');
    } finally {
      client.close();
      await server.close();
    }
  });

  it('cuts off calls still running after drainTimeoutMs', async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const never: ServedModels = {
      get: () => {
        arrived();
        // A model whose inference never settles stands in for one stuck in a long run.
        return { name: 'stuck', version: '1', infer: () => new Promise(() => {}) } as unknown as Model;
      },
      index: () => models.index(),
      ready: () => true,
      load: async () => {},
      unload: async () => {},
      close: async () => {},
    };
    const server = await startGrpcServer({ models: never, port: 0, drainTimeoutMs: 50 });
    const client = new InferenceClient(server.port);
    try {
      const cancelled = expectStatus(client.call('ModelInfer', { model_name: 'stuck', inputs: [] }), status.CANCELLED);
      await inFlight;
      await server.close();
      await cancelled;
    } finally {
      client.close();
    }
  });
});
