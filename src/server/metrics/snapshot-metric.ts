/**
 * A metric whose samples are computed when it is scraped, from the models' own counts, and
 * registered in a prom-client Registry like its own metrics. prom-client's Counter and Gauge can
 * be refilled in collect(), but its Histogram and Summary cannot be given counts made elsewhere;
 * the Registry only needs `name` and an async `get()` returning { name, help, type, values }, so
 * one small class serves every type.
 */
import type { Metric, Registry } from 'prom-client';

/** One sample line: `metricName{labels} value` (metricName defaults to the metric's name). */
export interface Sample {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

export type SnapshotMetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export class SnapshotMetric {
  readonly name: string;
  readonly help: string;
  readonly type: SnapshotMetricType;
  /** Cluster aggregation (prom-client's AggregatorRegistry): sum across workers. */
  readonly aggregator = 'sum';
  readonly #samples: () => Sample[];

  constructor(name: string, help: string, type: SnapshotMetricType, samples: () => Sample[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#samples = samples;
  }

  async get(): Promise<{ name: string; help: string; type: SnapshotMetricType; aggregator: string; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.#samples() };
  }

  /** Registers this metric in `registry` (duck-typed: see the file comment). */
  registerIn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}
