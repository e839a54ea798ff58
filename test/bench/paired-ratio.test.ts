// The A/B verdict of bench/event-loop.mjs rests on this arithmetic: a wrong interval would pass
// or fail the 1-caller target by itself.
import { describe, expect, it } from 'vitest';
// bench/ is plain ESM outside the compiled sources: imported as is.
import { pooledRatio, verdict } from '../../bench/lib/paired-ratio.mjs';

describe('pooledRatio', () => {
  it('gives the common ratio, and an interval of just that, when every round reads the same', () => {
    const pooled = pooledRatio([[1.05, 1.05, 1.05], [1.05, 1.05]]);
    expect(pooled.ratio).toBeCloseTo(1.05, 12);
    expect(pooled.low).toBeCloseTo(1.05, 12);
    expect(pooled.high).toBeCloseTo(1.05, 12);
    expect(pooled.rounds).toBe(5);
  });

  it('is a geometric mean: 2× and 0.5× rounds pool to 1×', () => {
    expect(pooledRatio([[2, 0.5], [0.5, 2]]).ratio).toBeCloseTo(1, 12);
  });

  it('widens the interval with the spread between processes, not only within them', () => {
    const steady = pooledRatio([[1.0, 1.01, 0.99, 1.0], [1.0, 0.99, 1.01, 1.0], [1.01, 1.0, 0.99, 1.0]]);
    // Same rounds within each process, but each process as a whole sits 8% off the others.
    const apart = pooledRatio([[0.92, 0.93, 0.91, 0.92], [1.0, 0.99, 1.01, 1.0], [1.08, 1.09, 1.07, 1.08]]);
    expect(steady.high - steady.low).toBeLessThan(0.02);
    expect(apart.high - apart.low).toBeGreaterThan(0.08);
    expect(apart.low).toBeLessThan(apart.ratio);
    expect(apart.high).toBeGreaterThan(apart.ratio);
    expect(apart.perProcess.map((r: number) => r.toFixed(2))).toEqual(['0.92', '1.00', '1.08']);
  });

  it('gives the same interval for the same rounds (seeded), another for another seed', () => {
    const rounds = [[0.97, 1.02, 1.04, 0.99], [1.01, 0.95, 1.03], [0.98, 1.06]];
    expect(pooledRatio(rounds)).toEqual(pooledRatio(rounds));
    expect(pooledRatio(rounds, { seed: 7 }).low).not.toBe(pooledRatio(rounds).low);
  });

  it('rejects an A/B with no rounds at all', () => {
    expect(() => pooledRatio([[], []])).toThrow(/no rounds/);
  });
});

describe('verdict', () => {
  it('reads better, equal, undecided and slower from where the interval lies', () => {
    expect(verdict({ low: 1.001, high: 1.03 }, 0.02)).toBe('better');
    expect(verdict({ low: 0.985, high: 1.01 }, 0.02)).toBe('equal');
    expect(verdict({ low: 0.97, high: 1.01 }, 0.02)).toBe('undecided');
    expect(verdict({ low: 0.97, high: 0.995 }, 0.02)).toBe('slower');
    expect(verdict({ low: 0.985, high: 0.999 }, 0.02)).toBe('slower');
  });
});
