/**
 * One reading of every model version the server knows, taken once per scrape: its state, the
 * stats of its Model when it is READY, and its cumulative counts. Counts stay monotonic for a
 * name and version across scrapes even when the Model behind it is replaced (a reload) or stops
 * serving: the last counts of a retired Model are carried into a base that the next one adds to.
 */
import type { Model } from '../../model/model.js';
import type { ModelStatsSnapshot } from '../../model/model-stats.js';
import type { ModelState, ServedModels } from '../../repository/served-models.js';

/** Batch-size histogram bounds, in rows. */
export const kBatchSizeBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] as const;

/** Names of the cumulative counts kept per model version (see cumulativeOf). */
type CountName = string;
export type Counts = Record<CountName, number>;

export interface ModelSample {
  /** The labels every per-model metric carries. */
  labels: { model: string; version: string };
  state: ModelState;
  /** The serving Model's stats; undefined unless READY. */
  stats: ModelStatsSnapshot | undefined;
  /** Monotonic counts since the first scrape that saw this name and version. */
  counts: Counts;
}

/** The monotonic numbers of one snapshot. Durations are summed in seconds. */
function cumulativeOf(stats: ModelStatsSnapshot): Counts {
  const counts: Counts = {
    success: stats.requests.success,
    failure: stats.requests.failure,
    inferences: stats.inferences,
    executions: stats.executions,
    failedExecutions: stats.failedExecutions,
    scaleUps: stats.instances.scaleUps,
    scaleDowns: stats.instances.scaleDowns,
    cacheHits: stats.cache?.hits ?? 0,
    cacheMisses: stats.cache?.misses ?? 0,
    cacheCoalesced: stats.cache?.coalesced ?? 0,
    cacheEvictions: stats.cache?.evictions ?? 0,
    cacheExpirations: stats.cache?.expirations ?? 0,
  };
  for (const [kind, summary] of [['queue', stats.queueMicros], ['compute', stats.computeMicros], ['total', stats.totalMicros]] as const) {
    counts[`${kind}Count`] = summary.count;
    counts[`${kind}SumSeconds`] = (summary.mean * summary.count) / 1e6;
    summary.buckets.forEach((count, i) => {
      counts[`${kind}Le${i}`] = count;
    });
  }
  let batches = 0;
  let rows = 0;
  for (const [size, count] of Object.entries(stats.batchSizes)) {
    batches += count;
    rows += Number(size) * count;
  }
  for (const bound of kBatchSizeBounds) {
    let atOrBelow = 0;
    for (const [size, count] of Object.entries(stats.batchSizes)) if (Number(size) <= bound) atOrBelow += count;
    counts[`batchLe${bound}`] = atOrBelow;
  }
  counts.batchCount = batches;
  counts.batchSum = rows;
  return counts;
}

function add(base: Counts, more: Counts): Counts {
  const sum: Counts = { ...base };
  for (const [name, value] of Object.entries(more)) sum[name] = (sum[name] ?? 0) + value;
  return sum;
}

interface Tracked {
  /** The Model seen last for this name and version. */
  model: Model | undefined;
  /** Its counts when last seen. */
  last: Counts;
  /** Counts of the Models that served this name and version before it. */
  base: Counts;
}

export class ModelSampler {
  readonly #models: ServedModels;
  /** name \0 version → what was seen of it. */
  readonly #tracked = new Map<string, Tracked>();
  /** This scrape's reading; every metric of one scrape reads the same one. */
  #current: ModelSample[] | undefined;

  constructor(models: ServedModels) {
    this.#models = models;
  }

  /**
   * The reading for this scrape: taken at the first call and reused until the current
   * synchronous run ends. A Registry calls every metric's get() in one synchronous loop, so all
   * metrics of one scrape read the same numbers; the next scrape reads anew.
   */
  samples(): ModelSample[] {
    if (this.#current === undefined) {
      this.#current = this.#read();
      queueMicrotask(() => {
        this.#current = undefined;
      });
    }
    return this.#current;
  }

  #read(): ModelSample[] {
    const samples: ModelSample[] = [];
    for (const entry of this.#models.index()) {
      const key = `${entry.name}\0${entry.version}`;
      let tracked = this.#tracked.get(key);
      if (tracked === undefined) this.#tracked.set(key, (tracked = { model: undefined, last: {}, base: {} }));
      let stats: ModelStatsSnapshot | undefined;
      if (entry.state === 'READY') {
        let model: Model | undefined;
        try {
          model = this.#models.get(entry.name, entry.version);
        } catch {
          // It changed state between index() and get(): read as not serving, this scrape.
        }
        if (model !== undefined) {
          if (tracked.model !== undefined && tracked.model !== model) tracked.base = add(tracked.base, tracked.last);
          tracked.model = model;
          stats = model.stats();
          tracked.last = cumulativeOf(stats);
        }
      }
      samples.push({ labels: { model: entry.name, version: entry.version }, state: entry.state, stats, counts: add(tracked.base, tracked.last) });
    }
    return samples;
  }
}
