/**
 * A fixed-memory histogram of durations in microseconds with at most 1/16 relative error: exact
 * below 32 µs (to the microsecond), then 16 linear sub-buckets per power of two (as HDR histograms do). Recording is a
 * few arithmetic operations, cheap enough for every request.
 */
const kLinear = 32; // values below this get one bucket each
const kFirstExponent = 5; // log2(kLinear)
const kSubBuckets = 16; // per power of two above kLinear
const kMaxExponent = 40; // 2^40 µs ≈ 12 days: beyond anything a request waits

function bucketOf(value: number): number {
  if (value < kLinear) return Math.floor(value);
  const exponent = Math.min(Math.floor(Math.log2(value)), kMaxExponent);
  const base = 2 ** exponent;
  const sub = Math.min(Math.floor(((value - base) / base) * kSubBuckets), kSubBuckets - 1);
  return kLinear + (exponent - kFirstExponent) * kSubBuckets + sub;
}

/** The value a bucket reports: exact (its integer) below kLinear, else its upper edge. */
function reportedValueOf(bucket: number): number {
  if (bucket < kLinear) return bucket;
  const offset = bucket - kLinear;
  const base = 2 ** (kFirstExponent + Math.floor(offset / kSubBuckets));
  return base + ((offset % kSubBuckets) + 1) * (base / kSubBuckets);
}

export class LatencyHistogram {
  readonly #counts = new Float64Array(kLinear + (kMaxExponent - kFirstExponent + 1) * kSubBuckets);
  #total = 0;
  #sum = 0;
  #max = 0;

  /** Records one duration in microseconds (negative values count as 0). */
  record(micros: number): void {
    const value = micros > 0 ? micros : 0;
    this.#counts[bucketOf(value)]! += 1;
    this.#total += 1;
    this.#sum += value;
    if (value > this.#max) this.#max = value;
  }

  /** Forgets everything recorded. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#sum = 0;
    this.#max = 0;
  }

  get count(): number {
    return this.#total;
  }

  get mean(): number {
    return this.#total === 0 ? 0 : this.#sum / this.#total;
  }

  get max(): number {
    return this.#max;
  }

  /**
   * For each bound (µs, ascending), how many durations were recorded at or below it, for
   * Prometheus histograms. A bucket counts once its upper edge is within the bound, so a count
   * can miss values up to 1/16 below the bound (never includes one above it).
   */
  cumulativeCounts(boundsMicros: readonly number[]): number[] {
    const result: number[] = [];
    let bucket = 0;
    let seen = 0;
    for (const bound of boundsMicros) {
      while (bucket < this.#counts.length && reportedValueOf(bucket) <= bound) seen += this.#counts[bucket++]!;
      result.push(seen);
    }
    return result;
  }

  /** The value at quantile `q` (0..1): exact below 32 µs, else its bucket's upper edge (capped at the max seen). */
  quantile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(reportedValueOf(i), this.#max);
    }
    return this.#max;
  }
}
