// LatencyHistogram (the stats' queue, compute and total times): quantiles on known distributions.
// Values below 32 µs have a bucket each and are reported exactly; above, each power of two has 16
// sub-buckets, so a reported quantile is within 1/16 of the true one.
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/model/latency-histogram.js';

/** The exact q-quantile of sorted values: the smallest value with at least q of them at or below it. */
function exactQuantile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.record(value);
  return histogram;
}

const kQuantiles = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1];

describe('LatencyHistogram', () => {
  it('is empty at first: every quantile, the mean and the max are 0', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.mean).toBe(0);
    expect(histogram.max).toBe(0);
    expect(histogram.quantile(0.5)).toBe(0);
    expect(histogram.quantile(0.99)).toBe(0);
  });

  it('one value: every quantile is that value', () => {
    for (const value of [0, 7, 31, 32, 1000, 123_456]) {
      const histogram = histogramOf([value]);
      for (const q of kQuantiles) expect(histogram.quantile(q), `value ${value} q ${q}`).toBe(value);
    }
  });

  it('integers below 32 µs are exact: quantiles of 0..31', () => {
    const values = Array.from({ length: 32 }, (_, i) => i);
    const histogram = histogramOf(values);
    for (const q of kQuantiles) expect(histogram.quantile(q), `q ${q}`).toBe(exactQuantile(values, q));
  });

  it('integers below 32 µs are exact: p50 and p99 of 1..10', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    const histogram = histogramOf(values);
    expect(histogram.quantile(0.5)).toBe(5);
    expect(histogram.quantile(0.9)).toBe(9);
    expect(histogram.quantile(0.99)).toBe(10);
  });

  it('p50 and p99 of 1..10000 are within 1/16 of 5000 and 9900', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const histogram = histogramOf(values);
    const p50 = histogram.quantile(0.5);
    const p99 = histogram.quantile(0.99);
    expect(Math.abs(p50 - 5000) / 5000, `p50 ${p50}`).toBeLessThanOrEqual(1 / 16);
    expect(Math.abs(p99 - 9900) / 9900, `p99 ${p99}`).toBeLessThanOrEqual(1 / 16);
    expect(histogram.count).toBe(10_000);
    expect(histogram.mean).toBe(5000.5);
    expect(histogram.max).toBe(10_000);
    expect(histogram.quantile(1)).toBe(10_000);
  });

  it('every quantile of a wide distribution (32 µs to 10 s, log-uniform) is within 1/16', () => {
    // A fixed, spread set: 2000 values whose logarithms are evenly spaced, shuffled by a stride.
    const values = Array.from({ length: 2000 }, (_, i) => Math.round(32 * Math.exp(((i * 769) % 2000) / 2000 * Math.log(10_000_000 / 32))));
    const histogram = histogramOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [...kQuantiles, 0.333, 0.95]) {
      const exact = exactQuantile(sorted, q);
      const reported = histogram.quantile(q);
      expect(Math.abs(reported - exact) / exact, `q ${q}: reported ${reported}, exact ${exact}`).toBeLessThanOrEqual(1 / 16);
    }
  });

  it('two clusters: quantiles land in the right cluster', () => {
    const values = [...Array.from({ length: 90 }, () => 100), ...Array.from({ length: 10 }, () => 50_000)];
    const histogram = histogramOf(values);
    expect(Math.abs(histogram.quantile(0.5) - 100) / 100).toBeLessThanOrEqual(1 / 16);
    expect(Math.abs(histogram.quantile(0.9) - 100) / 100).toBeLessThanOrEqual(1 / 16);
    expect(histogram.quantile(0.91)).toBeGreaterThan(100 * (1 + 1 / 16));
    expect(Math.abs(histogram.quantile(0.99) - 50_000) / 50_000).toBeLessThanOrEqual(1 / 16);
    expect(histogram.mean).toBe(5090);
  });

  it('quantiles never decrease as q grows, and never exceed the max', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 100_003);
    const histogram = histogramOf(values);
    let previous = -Infinity;
    for (let q = 0; q <= 1; q += 0.01) {
      const value = histogram.quantile(q);
      expect(value).toBeGreaterThanOrEqual(previous);
      expect(value).toBeLessThanOrEqual(histogram.max);
      previous = value;
    }
  });

  it('negative values (a clock that stepped back) count as 0', () => {
    const histogram = histogramOf([-5, -0.5]);
    expect(histogram.count).toBe(2);
    expect(histogram.mean).toBe(0);
    expect(histogram.max).toBe(0);
    expect(histogram.quantile(0.5)).toBe(0);
  });

  it('values beyond the range (2^40 µs) are counted in the last buckets, not lost', () => {
    const histogram = histogramOf([10, 2 ** 45]);
    expect(histogram.count).toBe(2);
    expect(histogram.max).toBe(2 ** 45);
    expect(histogram.quantile(1)).toBeGreaterThanOrEqual(2 ** 40);
  });
});

describe('LatencyHistogram.cumulativeCounts', () => {
  it('counts the values at or below each bound, never one above it', () => {
    const histogram = new LatencyHistogram();
    for (const micros of [5, 50, 90, 150, 999, 1_000, 30_000]) histogram.record(micros);
    const bounds = [10, 100, 1_000, 10_000, 100_000];
    const counts = histogram.cumulativeCounts(bounds);
    // 999 and 1000 share the bucket [960, 1024): its upper edge is above the 1 ms bound, so they
    // count from the next bound on (the documented under-count of up to 1/16 below a bound).
    expect(counts).toEqual([1, 3, 4, 6, 7]);
    // Monotonic, and the last bound above the max holds them all.
    expect(counts.every((count, i) => i === 0 || count >= counts[i - 1]!)).toBe(true);
  });
});
