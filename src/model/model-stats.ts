/** What a model counts and times; the Prometheus metrics of the serving layer read the same. */
import type { ResultCacheStats } from '../cache/result-cache.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Bucket bounds of the latency histograms stats() reports, in microseconds (100 µs to 10 s). */
export const kLatencyBucketsMicros: readonly number[] = [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000];

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  count: number;
  /** How many were at or below each of kLatencyBucketsMicros (cumulative, as Prometheus wants). */
  buckets: number[];
}

export interface ModelStatsSnapshot {
  name: string;
  version: string;
  /** Requests that resolved / rejected (any reason, queue rejections included). */
  requests: { success: number; failure: number };
  /** Rows run (a request of dim 0 = 4 counts 4). */
  inferences: number;
  /** Batches run (ONNX Runtime calls). */
  executions: number;
  /** Batches that failed inside ONNX Runtime (each failed all its requests). */
  failedExecutions: number;
  /** How many batches had each size in rows. */
  batchSizes: Record<number, number>;
  /** Warmup requests a model repository ran before READY; they are not in the other counts. */
  warmupRequests: number;
  /** Time in queue, in ONNX Runtime, and in all, per request, in microseconds. */
  queueMicros: LatencySummary;
  computeMicros: LatencySummary;
  totalMicros: LatencySummary;
  queueDepth: number;
  queuedRows: number;
  instances: { count: number; loading: number; busy: number; scaleUps: number; scaleDowns: number };
  /** The result cache's counts, when the model has one. */
  cache: ResultCacheStats | undefined;
}

function summary(histogram: LatencyHistogram): LatencySummary {
  return {
    p50: histogram.quantile(0.5),
    p90: histogram.quantile(0.9),
    p99: histogram.quantile(0.99),
    mean: histogram.mean,
    max: histogram.max,
    count: histogram.count,
    buckets: histogram.cumulativeCounts(kLatencyBucketsMicros),
  };
}

export class ModelStats {
  success = 0;
  failure = 0;
  inferences = 0;
  executions = 0;
  failedExecutions = 0;
  readonly batchSizes = new Map<number, number>();
  readonly queue = new LatencyHistogram();
  readonly compute = new LatencyHistogram();
  readonly total = new LatencyHistogram();

  /** Warmup requests run before the counts were last reset (the repository's). */
  warmupRequests = 0;

  /** Back to zero (after a repository's warmup requests, which are not traffic). */
  reset(): void {
    this.success = 0;
    this.failure = 0;
    this.inferences = 0;
    this.executions = 0;
    this.failedExecutions = 0;
    this.batchSizes.clear();
    this.queue.reset();
    this.compute.reset();
    this.total.reset();
  }

  recordBatch(rows: number): void {
    this.executions++;
    this.inferences += rows;
    this.batchSizes.set(rows, (this.batchSizes.get(rows) ?? 0) + 1);
  }

  snapshot(base: Omit<ModelStatsSnapshot, 'requests' | 'inferences' | 'executions' | 'failedExecutions' | 'batchSizes' | 'warmupRequests' | 'queueMicros' | 'computeMicros' | 'totalMicros'>): ModelStatsSnapshot {
    return {
      ...base,
      requests: { success: this.success, failure: this.failure },
      inferences: this.inferences,
      executions: this.executions,
      failedExecutions: this.failedExecutions,
      warmupRequests: this.warmupRequests,
      batchSizes: Object.fromEntries([...this.batchSizes].sort((a, b) => a[0] - b[0])),
      queueMicros: summary(this.queue),
      computeMicros: summary(this.compute),
      totalMicros: summary(this.total),
    };
  }
}
