// createMetrics: a private registry with every documented family, prom-client's process and
// event-loop metrics, its options checked, and the protocol counters fed by a real gRPC server.
import { register as globalRegister } from 'prom-client';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { createMetrics } from '../../../src/server/metrics/create-metrics.js';
import { expectThrows } from '../../helpers/expect-error.js';
import { generatedModel } from '../../helpers/paths.js';
import { InferenceClient, expectStatus, inferRequest } from '../grpc/inference-client.js';
import { parsePrometheusText, valueOf } from './prometheus-text.js';

let add: Model;
let models: StaticModels;

beforeAll(async () => {
  add = await Model.load({ name: 'add', path: generatedModel('add'), session: { intraOpThreads: 1 }, instances: { count: 1 } });
  models = new StaticModels([add]);
});

afterAll(async () => {
  await add?.unload();
});

/** Every family inferline documents, with its type. */
const kFamilies: Record<string, string> = {
  inferline_request_success_total: 'counter',
  inferline_request_failure_total: 'counter',
  inferline_inference_count_total: 'counter',
  inferline_execution_count_total: 'counter',
  inferline_execution_failure_total: 'counter',
  inferline_cache_hits_total: 'counter',
  inferline_cache_misses_total: 'counter',
  inferline_cache_coalesced_total: 'counter',
  inferline_cache_evictions_total: 'counter',
  inferline_cache_expirations_total: 'counter',
  inferline_instance_scale_ups_total: 'counter',
  inferline_instance_scale_downs_total: 'counter',
  inferline_queue_depth: 'gauge',
  inferline_queue_rows: 'gauge',
  inferline_instances: 'gauge',
  inferline_instances_busy: 'gauge',
  inferline_instances_loading: 'gauge',
  inferline_cache_bytes: 'gauge',
  inferline_cache_entries: 'gauge',
  inferline_cache_max_bytes: 'gauge',
  inferline_model_state: 'gauge',
  inferline_queue_duration_seconds: 'histogram',
  inferline_compute_duration_seconds: 'histogram',
  inferline_request_duration_seconds: 'histogram',
  inferline_batch_size: 'histogram',
  inferline_protocol_requests_total: 'counter',
  inferline_protocol_request_duration_seconds: 'histogram',
};

describe('createMetrics', () => {
  it('renders every documented family, typed, plus process and event-loop metrics', async () => {
    const metrics = createMetrics(models);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(await metrics.render());
    for (const [name, type] of Object.entries(kFamilies)) expect(families.get(name)?.type, name).toBe(type);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(families.has(name), name).toBe(true);
    }
    for (const family of families.values()) expect(family.help, family.name).toBeTruthy();
  });

  it('uses a registry of its own: nothing in prom-client\'s global one, no clash between two', async () => {
    const one = createMetrics(models);
    const two = createMetrics(models, { prefix: 'other_' });
    expect(one.registry).not.toBe(two.registry);
    expect(one.registry).not.toBe(globalRegister);
    expect(await globalRegister.metrics()).not.toContain('inferline_');
    const families = parsePrometheusText(await two.render());
    expect(families.has('other_request_success_total')).toBe(true);
    expect(families.has('inferline_request_success_total')).toBe(false);
  });

  it('defaultMetrics: false leaves out process_* and nodejs_*', async () => {
    const families = parsePrometheusText(await createMetrics(models, { defaultMetrics: false }).render());
    expect([...families.keys()].every((name) => name.startsWith('inferline_'))).toBe(true);
  });

  it('checks its arguments', () => {
    expectThrows(() => createMetrics(undefined as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['ServedModels'] });
    expectThrows(() => createMetrics(models, { prefix: '9bad' }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['prefix'] });
    expectThrows(() => createMetrics(models, { defaultMetrics: 'yes' as never }), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['defaultMetrics'] });
    expectThrows(() => createMetrics(models, { prefx: 'a_' } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['"prefix"'] });
  });
});

describe('observeRequest, fed by the gRPC server', () => {
  it('counts ModelInfer calls by outcome and times them', async () => {
    const metrics = createMetrics(models, { defaultMetrics: false });
    const server = await startGrpcServer({ models, port: 0, observeRequest: metrics.observeRequest });
    const client = new InferenceClient(server.port);
    try {
      const request = inferRequest('add', [['x', 'float32', [1, 16], new Float32Array(16)]], true);
      for (let i = 0; i < 3; i++) await client.call('ModelInfer', request);
      await expectStatus(client.call('ModelInfer', inferRequest('add', [['x', 'float32', [1, 15], new Float32Array(15)]], true)), status.INVALID_ARGUMENT);
      await expectStatus(client.call('ModelInfer', inferRequest('nope', [], true)), status.NOT_FOUND);
    } finally {
      client.close();
      await server.close();
    }
    const families = parsePrometheusText(await metrics.render());
    const labels = { protocol: 'grpc', model: 'add', version: add.version };
    expect(valueOf(families, 'inferline_protocol_requests_total', { ...labels, status: 'OK' })).toBe(3);
    expect(valueOf(families, 'inferline_protocol_requests_total', { ...labels, status: 'INVALID_ARGUMENT' })).toBe(1);
    expect(valueOf(families, 'inferline_protocol_requests_total', { protocol: 'grpc', model: '', status: 'NOT_FOUND' })).toBe(1);
    expect(valueOf(families, 'inferline_protocol_request_duration_seconds_count', labels)).toBe(4);
    expect(valueOf(families, 'inferline_protocol_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(4);
  });
});
