// The metrics read the models' own counts at each scrape: counters equal what was sent through
// Model.infer, stay monotonic across scrapes (and across a Model replaced under the same name
// and version), and the text always parses as Prometheus text format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Tensor } from '../../../src/index.js';
import type { ModelIndexEntry, ServedModels } from '../../../src/repository/served-models.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { createMetrics } from '../../../src/server/metrics/create-metrics.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { type MetricFamily, parsePrometheusText, valueOf } from './prometheus-text.js';

const kOptions = { session: { intraOpThreads: 1 }, instances: { count: 1 } } as const;
let mlp: Model;
let add: Model;
let cached: Model;
let models: StaticModels;

beforeAll(async () => {
  mlp = await Model.load({ name: 'mlp', path: generatedModel('mlp'), ...kOptions, batching: { maxBatchSize: 16 } });
  add = await Model.load({ name: 'add', version: '7', path: generatedModel('add'), ...kOptions });
  cached = await Model.load({ name: 'cached', path: generatedModel('mlp'), ...kOptions, cache: { maxBytes: 1 << 20 } });
  models = new StaticModels([mlp, add, cached]);
});

afterAll(async () => {
  await Promise.all([mlp, add, cached].map((model) => model?.unload()));
});

const mlpInput = (rows: number, seed: number) => ({ x: new Tensor('float32', randomFloat32(rows * 256, seed), [rows, 256]) });
const labelsOf = (model: Model) => ({ model: model.name, version: model.version });

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<Map<string, MetricFamily>> {
  return parsePrometheusText(await metrics.render());
}

describe('per-model metrics', () => {
  it('match the requests sent through Model.infer', async () => {
    const metrics = createMetrics(models);
    // 12 requests of 1-3 rows, together: the batcher merges them into batches of its choosing.
    const sent = Array.from({ length: 12 }, (_, i) => mlp.infer(mlpInput(1 + (i % 3), i)));
    await Promise.all(sent);
    await expect(mlp.infer({ x: new Tensor('float32', new Float32Array(255), [1, 255]) })).rejects.toThrow();
    for (let i = 0; i < 3; i++) await add.infer({ x: new Tensor('float32', new Float32Array(16), [1, 16]) });
    const stats = mlp.stats();

    const families = await scrape(metrics);
    const mlpLabels = labelsOf(mlp);
    expect(valueOf(families, 'inferline_request_success_total', mlpLabels)).toBe(12);
    expect(valueOf(families, 'inferline_request_failure_total', mlpLabels)).toBe(1);
    expect(valueOf(families, 'inferline_inference_count_total', mlpLabels)).toBe(4 * 1 + 4 * 2 + 4 * 3);
    expect(valueOf(families, 'inferline_execution_count_total', mlpLabels)).toBe(stats.executions);
    expect(valueOf(families, 'inferline_batch_size_count', mlpLabels)).toBe(stats.executions);
    expect(valueOf(families, 'inferline_batch_size_sum', mlpLabels)).toBe(24);
    expect(valueOf(families, 'inferline_batch_size_bucket', { ...mlpLabels, le: '+Inf' })).toBe(stats.executions);
    expect(valueOf(families, 'inferline_request_duration_seconds_count', mlpLabels)).toBe(stats.totalMicros.count);
    expect(valueOf(families, 'inferline_request_duration_seconds_sum', mlpLabels)).toBeCloseTo((stats.totalMicros.mean * stats.totalMicros.count) / 1e6, 9);
    // Buckets: the model's own cumulative counts at the fixed bounds, ending in the total at +Inf.
    expect(valueOf(families, 'inferline_request_duration_seconds_bucket', { ...mlpLabels, le: '10' })).toBe(stats.totalMicros.buckets.at(-1));
    expect(valueOf(families, 'inferline_request_duration_seconds_bucket', { ...mlpLabels, le: '+Inf' })).toBe(stats.totalMicros.count);
    expect(valueOf(families, 'inferline_request_duration_seconds_bucket', { ...mlpLabels, le: '0.001' })).toBe(stats.totalMicros.buckets[3]);
    expect(valueOf(families, 'inferline_queue_duration_seconds_count', mlpLabels)).toBe(stats.queueMicros.count);
    expect(valueOf(families, 'inferline_compute_duration_seconds_bucket', { ...mlpLabels, le: '0.0001' })).toBe(stats.computeMicros.buckets[0]);
    expect(valueOf(families, 'inferline_queue_depth', mlpLabels)).toBe(0);
    expect(valueOf(families, 'inferline_instances', mlpLabels)).toBe(1);
    expect(valueOf(families, 'inferline_model_state', { ...mlpLabels, state: 'READY' })).toBe(1);
    expect(valueOf(families, 'inferline_model_state', { ...mlpLabels, state: 'UNAVAILABLE' })).toBe(0);

    const addLabels = { model: 'add', version: '7' };
    expect(valueOf(families, 'inferline_request_success_total', addLabels)).toBe(3);
    expect(valueOf(families, 'inferline_execution_count_total', addLabels)).toBe(3);
    expect(valueOf(families, 'inferline_batch_size_bucket', { ...addLabels, le: '1' })).toBe(3);
    // A model without a cache has no cache gauges, only zero counters.
    expect(valueOf(families, 'inferline_cache_hits_total', addLabels)).toBe(0);
    expect(families.get('inferline_cache_bytes')!.samples.some((sample) => sample.labels.model === 'add')).toBe(false);
  });

  it('export the result cache\'s counts', async () => {
    const metrics = createMetrics(models);
    for (let i = 0; i < 3; i++) await cached.infer(mlpInput(1, 100)); // one miss, then hits
    await cached.infer(mlpInput(1, 101)); // another miss
    const families = await scrape(metrics);
    const labels = labelsOf(cached);
    const cache = cached.stats().cache!;
    expect(valueOf(families, 'inferline_cache_hits_total', labels)).toBe(2);
    expect(valueOf(families, 'inferline_cache_misses_total', labels)).toBe(2);
    expect(valueOf(families, 'inferline_cache_entries', labels)).toBe(2);
    expect(valueOf(families, 'inferline_cache_bytes', labels)).toBe(cache.bytes);
    expect(valueOf(families, 'inferline_cache_max_bytes', labels)).toBe(1 << 20);
    expect(valueOf(families, 'inferline_cache_evictions_total', labels)).toBe(0);
  });

  it('counters never go down between scrapes', async () => {
    const metrics = createMetrics(models);
    const counters = (families: Map<string, MetricFamily>): Map<string, number> => new Map(
      [...families.values()].filter((family) => family.type === 'counter' && family.name.startsWith('inferline_'))
        .flatMap((family) => family.samples.map((sample) => [`${sample.name}${JSON.stringify(sample.labels)}`, sample.value] as [string, number])),
    );
    const before = counters(await scrape(metrics));
    await Promise.all([mlp.infer(mlpInput(2, 50)), mlp.infer(mlpInput(1, 51)), add.infer({ x: new Tensor('float32', new Float32Array(16), [1, 16]) })]);
    const after = counters(await scrape(metrics));
    for (const [series, value] of before) expect(after.get(series), series).toBeGreaterThanOrEqual(value);
    expect(after.get(`inferline_request_success_total${JSON.stringify(labelsOf(mlp))}`)).toBe(before.get(`inferline_request_success_total${JSON.stringify(labelsOf(mlp))}`)! + 2);
  });
});

describe('a model replaced under the same name and version', () => {
  it('keeps its counters monotonic: the new Model\'s counts add to the old one\'s', async () => {
    const first = await Model.load({ name: 'swap', version: '1', path: generatedModel('add'), ...kOptions });
    const second = await Model.load({ name: 'swap', version: '1', path: generatedModel('add'), ...kOptions });
    let serving = first;
    // A collaborator standing in for a repository that reloaded the model.
    const swapping: ServedModels = {
      get: () => serving,
      index: (): ModelIndexEntry[] => [{ name: 'swap', version: '1', state: 'READY', reason: '' }],
      ready: () => true,
      load: async () => {},
      unload: async () => {},
      close: async () => {},
    };
    try {
      const metrics = createMetrics(swapping, { defaultMetrics: false });
      const input = { x: new Tensor('float32', new Float32Array(16), [1, 16]) };
      for (let i = 0; i < 4; i++) await first.infer(input);
      expect(valueOf(await scrape(metrics), 'inferline_request_success_total', { model: 'swap' })).toBe(4);
      serving = second;
      await second.infer(input);
      const families = await scrape(metrics);
      expect(valueOf(families, 'inferline_request_success_total', { model: 'swap' })).toBe(5);
      expect(valueOf(families, 'inferline_execution_count_total', { model: 'swap' })).toBe(5);
      expect(valueOf(families, 'inferline_batch_size_bucket', { model: 'swap', le: '+Inf' })).toBe(5);
    } finally {
      await Promise.all([first.unload(), second.unload()]);
    }
  });
});

describe('load state', () => {
  it('a model unloaded turns UNAVAILABLE and keeps its last counts', async () => {
    const gone = await Model.load({ name: 'gone', path: generatedModel('add'), ...kOptions });
    const served = new StaticModels([gone]);
    const metrics = createMetrics(served, { defaultMetrics: false });
    await gone.infer({ x: new Tensor('float32', new Float32Array(16), [1, 16]) });
    const labels = labelsOf(gone);
    expect(valueOf(await scrape(metrics), 'inferline_request_success_total', labels)).toBe(1);
    await served.unload('gone');
    const families = await scrape(metrics);
    expect(valueOf(families, 'inferline_model_state', { ...labels, state: 'UNAVAILABLE' })).toBe(1);
    expect(valueOf(families, 'inferline_model_state', { ...labels, state: 'READY' })).toBe(0);
    expect(valueOf(families, 'inferline_request_success_total', labels)).toBe(1);
    // Gauges of a model not serving are left out rather than reported as zero.
    expect(families.get('inferline_queue_depth')!.samples).toEqual([]);
  });
});
