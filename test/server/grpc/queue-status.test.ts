// Statuses that come from the model's queue: UNAVAILABLE when it is full, DEADLINE_EXCEEDED when
// a request waits past its "timeout" parameter, and a client's own deadline withdrawing a queued
// request (the server sees the call cancelled and the model never runs it).
//
// One instance of slow.onnx; each test first starts an in-process request on it (empty queue,
// idle instance: it runs at once, about 100 ms on [512,512]), so the gRPC request that follows
// finds the instance busy and waits in the queue, as in test/model/queue-policy.test.ts.
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Model, Tensor } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import type { RequestObservation } from '../../../src/server/metrics/request-observation.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { InferenceClient, expectStatus, inferRequest } from './inference-client.js';

const kWidth = 512;
let slow: Model;
let server: GrpcServer;
let client: InferenceClient;
const observations: RequestObservation[] = [];
let onObservation: (() => void) | undefined;

beforeAll(async () => {
  slow = await Model.load({
    name: 'slow', path: generatedModel('slow'), session: { intraOpThreads: 1 }, instances: { count: 1 },
    batching: { maxBatchSize: kWidth, maxQueueSize: 1 },
  });
  server = await startGrpcServer({
    models: new StaticModels([slow]), port: 0,
    observeRequest: (observation) => {
      observations.push(observation);
      onObservation?.();
    },
  });
  client = new InferenceClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await slow?.unload();
});

afterEach(() => {
  observations.length = 0;
});

const rows = (count: number, seed: number): Float32Array => randomFloat32(count * kWidth, seed);
const occupy = (seed: number): Promise<unknown> => slow.infer({ x: new Tensor('float32', rows(kWidth, seed), [kWidth, kWidth]) });
const grpcRequest = (seed: number, extra: object = {}): object => inferRequest('slow', [['x', 'float32', [1, kWidth], rows(1, seed)]], true, extra);

/** Resolves once the server has reported `count` observations. */
function observed(count: number): Promise<void> {
  return new Promise((resolve) => {
    onObservation = () => {
      if (observations.length >= count) resolve();
    };
    onObservation();
  });
}

describe('queue statuses', () => {
  it('UNAVAILABLE when the queue is full', async () => {
    const running = occupy(1);
    const queued = occupy(2);
    expect(slow.stats().queueDepth).toBe(1);
    await expectStatus(client.call('ModelInfer', grpcRequest(3)), status.UNAVAILABLE, 'ERR_INFERLINE_QUEUE_FULL', ['queue full']);
    await Promise.all([running, queued]);
    // Served again once the queue drained.
    await expect(client.call('ModelInfer', grpcRequest(4))).resolves.toHaveProperty('outputs');
  });

  it('DEADLINE_EXCEEDED when the request waits past its "timeout" parameter (microseconds)', async () => {
    const running = occupy(5);
    await expectStatus(client.call('ModelInfer', grpcRequest(6, { parameters: { timeout: { int64_param: 1000 } } })),
      status.DEADLINE_EXCEEDED, 'ERR_INFERLINE_TIMEOUT', ['Model "slow"', '1 ms']);
    await running;
  });

  it('a client deadline withdraws the request from the queue; the server reports it CANCELLED', async () => {
    const failuresBefore = slow.stats().requests.failure;
    const executionsBefore = slow.stats().executions;
    const running = occupy(7);
    const seen = observed(1);
    await expectStatus(client.call('ModelInfer', grpcRequest(8), { deadline: new Date(Date.now() + 20) }), status.DEADLINE_EXCEEDED);
    await seen;
    expect(observations[0]).toMatchObject({ protocol: 'grpc', model: 'slow', status: 'CANCELLED' });
    await running;
    expect(slow.stats().requests.failure).toBe(failuresBefore + 1);
    // Only the in-process request ran: the withdrawn one never reached ONNX Runtime.
    expect(slow.stats().executions).toBe(executionsBefore + 1);
  });

  it('observeRequest sees every ModelInfer with its outcome and a duration', async () => {
    await client.call('ModelInfer', grpcRequest(9));
    await expectStatus(client.call('ModelInfer', inferRequest('nope', [], true)), status.NOT_FOUND);
    expect(observations).toHaveLength(2);
    expect(observations[0]).toMatchObject({ protocol: 'grpc', model: 'slow', version: slow.version, status: 'OK' });
    expect(observations[0]!.seconds).toBeGreaterThan(0);
    // An unknown model's name is not a label: clients could make up any number of them.
    expect(observations[1]).toMatchObject({ protocol: 'grpc', model: '', version: '', status: 'NOT_FOUND' });
  });
});
