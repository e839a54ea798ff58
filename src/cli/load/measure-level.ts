/**
 * One concurrency level, perf_analyzer's way: `concurrency` closed-loop senders (each sends its
 * next request when the previous one completed) and measurement windows of `windowMs`, repeated
 * until the last three windows agree within `stabilityPercent` on throughput and p99 latency,
 * or `maxWindows` have passed (then the level is reported as unstable).
 */
import type { LoadTarget } from './load-target.js';

export interface LevelResult {
  concurrency: number;
  /** Completed requests per second over the stable windows. */
  throughput: number;
  /** Latency percentiles over the stable windows, in milliseconds. */
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  requests: number;
  errors: number;
  windows: number;
  stable: boolean;
}

export interface LevelOptions {
  windowMs: number;
  maxWindows: number;
  stabilityPercent: number;
  /** Called after each window (the progress line). */
  onWindow?: (window: number, throughput: number, p99: number) => void;
}

interface Window {
  latencies: number[];
  errors: number;
  throughput: number;
  p99: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function within(values: readonly number[], percent: number): boolean {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.every((value) => Math.abs(value - mean) <= (mean * percent) / 100);
}

export async function measureLevel(target: LoadTarget, concurrency: number, options: LevelOptions): Promise<LevelResult> {
  let current: number[] = [];
  let currentErrors = 0;
  let stopping = false;
  let firstError: unknown;
  const sender = async (): Promise<void> => {
    while (!stopping) {
      const started = performance.now();
      try {
        await target.send();
        current.push(performance.now() - started);
      } catch (error) {
        currentErrors++;
        firstError ??= error;
      }
    }
  };
  const senders = Array.from({ length: concurrency }, sender);
  const windows: Window[] = [];
  let stable = false;
  try {
    // One window of warm-up, not counted: connections open, batches and caches settle.
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    for (let w = 1; w <= options.maxWindows && !stable; w++) {
      current = [];
      currentErrors = 0;
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, options.windowMs));
      const latencies = current.sort((a, b) => a - b);
      const seconds = (performance.now() - started) / 1000;
      const window = { latencies, errors: currentErrors, throughput: latencies.length / seconds, p99: quantile(latencies, 0.99) };
      windows.push(window);
      options.onWindow?.(w, window.throughput, window.p99);
      const last = windows.slice(-3);
      stable = last.length === 3 && within(last.map((x) => x.throughput), options.stabilityPercent) &&
        within(last.map((x) => x.p99), options.stabilityPercent);
    }
  } finally {
    stopping = true;
    await Promise.all(senders);
  }
  const counted = windows.slice(-3);
  const all = counted.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const errorsSeen = counted.reduce((n, w) => n + w.errors, 0);
  if (all.length === 0 && firstError !== undefined) throw firstError;
  return {
    concurrency,
    throughput: counted.reduce((n, w) => n + w.throughput, 0) / counted.length,
    p50: quantile(all, 0.5),
    p90: quantile(all, 0.9),
    p95: quantile(all, 0.95),
    p99: quantile(all, 0.99),
    requests: all.length,
    errors: errorsSeen,
    windows: windows.length,
    stable,
  };
}
