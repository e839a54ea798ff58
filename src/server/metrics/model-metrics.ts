/**
 * The per-model metrics (labels `model` and `version`), each computed at scrape time from the
 * models' own stats (ModelSampler). Latencies are histograms over fixed bounds (100 µs to 10 s),
 * read from the model's own fine-grained histograms at scrape time.
 */
import { kLatencyBucketsMicros } from '../../model/model-stats.js';
import type { ModelState } from '../../repository/served-models.js';
import { type ModelSample, type ModelSampler, kBatchSizeBounds } from './model-samples.js';
import { type Sample, SnapshotMetric } from './snapshot-metric.js';

const kStates: readonly ModelState[] = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'];

/** One sample per model version, of a value read from its sample (undefined: no sample). */
function perModel(sampler: ModelSampler, value: (sample: ModelSample) => number | undefined): () => Sample[] {
  return () => {
    const samples: Sample[] = [];
    for (const sample of sampler.samples()) {
      const number = value(sample);
      if (number !== undefined) samples.push({ labels: sample.labels, value: number });
    }
    return samples;
  };
}

/** One of the model's latency histograms, in seconds, with the bounds of kLatencyBucketsMicros. */
function latencyHistogram(name: string, help: string, sampler: ModelSampler, kind: 'queue' | 'compute' | 'total'): SnapshotMetric {
  return new SnapshotMetric(name, help, 'histogram', () => {
    const samples: Sample[] = [];
    for (const sample of sampler.samples()) {
      kLatencyBucketsMicros.forEach((bound, i) => {
        samples.push({ metricName: `${name}_bucket`, labels: { ...sample.labels, le: String(bound / 1e6) }, value: sample.counts[`${kind}Le${i}`] ?? 0 });
      });
      samples.push({ metricName: `${name}_bucket`, labels: { ...sample.labels, le: '+Inf' }, value: sample.counts[`${kind}Count`] ?? 0 });
      samples.push({ metricName: `${name}_sum`, labels: sample.labels, value: sample.counts[`${kind}SumSeconds`] ?? 0 });
      samples.push({ metricName: `${name}_count`, labels: sample.labels, value: sample.counts[`${kind}Count`] ?? 0 });
    }
    return samples;
  });
}

/** Every per-model metric, named with `prefix`. */
export function modelMetrics(prefix: string, sampler: ModelSampler): SnapshotMetric[] {
  const counter = (name: string, help: string, count: string): SnapshotMetric =>
    new SnapshotMetric(`${prefix}${name}`, help, 'counter', perModel(sampler, (sample) => sample.counts[count] ?? 0));
  const gauge = (name: string, help: string, value: (sample: ModelSample) => number | undefined): SnapshotMetric =>
    new SnapshotMetric(`${prefix}${name}`, help, 'gauge', perModel(sampler, value));
  const batchSize = `${prefix}batch_size`;
  return [
    counter('request_success_total', 'Inference requests that succeeded', 'success'),
    counter('request_failure_total', 'Inference requests that failed, for any reason (queue rejections included)', 'failure'),
    counter('inference_count_total', 'Rows inferred (a request of dim 0 = 4 counts 4)', 'inferences'),
    counter('execution_count_total', 'Batches run (ONNX Runtime calls)', 'executions'),
    counter('execution_failure_total', 'Batches that failed inside ONNX Runtime', 'failedExecutions'),
    counter('cache_hits_total', 'Result-cache lookups answered from the cache', 'cacheHits'),
    counter('cache_misses_total', 'Result-cache lookups not answered from the cache', 'cacheMisses'),
    counter('cache_coalesced_total', 'Requests that waited for an identical request in flight instead of running', 'cacheCoalesced'),
    counter('cache_evictions_total', 'Result-cache entries dropped to make room', 'cacheEvictions'),
    counter('cache_expirations_total', 'Result-cache entries dropped when their TTL passed', 'cacheExpirations'),
    counter('instance_scale_ups_total', 'Instances added by autoscaling', 'scaleUps'),
    counter('instance_scale_downs_total', 'Instances removed by autoscaling', 'scaleDowns'),
    gauge('queue_depth', 'Requests waiting in the queue', (sample) => sample.stats?.queueDepth),
    gauge('queue_rows', 'Rows waiting in the queue', (sample) => sample.stats?.queuedRows),
    gauge('instances', 'Instances (sessions) running', (sample) => sample.stats?.instances.count),
    gauge('instances_busy', 'Instances running a batch now', (sample) => sample.stats?.instances.busy),
    gauge('instances_loading', 'Instances being started', (sample) => sample.stats?.instances.loading),
    gauge('cache_bytes', 'Bytes held by the result cache', (sample) => sample.stats?.cache?.bytes),
    gauge('cache_entries', 'Entries held by the result cache', (sample) => sample.stats?.cache?.entries),
    gauge('cache_max_bytes', 'The result cache\'s byte budget', (sample) => sample.stats?.cache?.maxBytes),
    new SnapshotMetric(`${prefix}model_state`, 'Load state of each model version: 1 for the state it is in, 0 for the others', 'gauge', () =>
      sampler.samples().flatMap((sample) => kStates.map((state) => ({ labels: { ...sample.labels, state }, value: sample.state === state ? 1 : 0 })))),
    latencyHistogram(`${prefix}queue_duration_seconds`, 'Time requests waited in the queue', sampler, 'queue'),
    latencyHistogram(`${prefix}compute_duration_seconds`, 'Time requests\' batches ran in ONNX Runtime', sampler, 'compute'),
    latencyHistogram(`${prefix}request_duration_seconds`, 'Time from a request\'s arrival at the model to its result', sampler, 'total'),
    new SnapshotMetric(batchSize, 'Rows per batch run', 'histogram', () => {
      const samples: Sample[] = [];
      for (const sample of sampler.samples()) {
        for (const bound of kBatchSizeBounds) {
          samples.push({ metricName: `${batchSize}_bucket`, labels: { ...sample.labels, le: String(bound) }, value: sample.counts[`batchLe${bound}`] ?? 0 });
        }
        samples.push({ metricName: `${batchSize}_bucket`, labels: { ...sample.labels, le: '+Inf' }, value: sample.counts.batchCount ?? 0 });
        samples.push({ metricName: `${batchSize}_sum`, labels: sample.labels, value: sample.counts.batchSum ?? 0 });
        samples.push({ metricName: `${batchSize}_count`, labels: sample.labels, value: sample.counts.batchCount ?? 0 });
      }
      return samples;
    }),
  ];
}
