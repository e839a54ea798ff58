/**
 * Prometheus metrics of a serving process: per model version (from the models' own stats, read
 * at each scrape), per protocol front (fed by observeRequest), and prom-client's default process
 * and Node.js metrics (event-loop lag included). Everything lives in a Registry of its own, never
 * prom-client's global one, so several servers in one process do not collide.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import { errors } from '../../errors.js';
import type { ServedModels } from '../../repository/served-models.js';
import { checkKnownOptions, describe, optionsObject } from '../../validate.js';
import { ModelSampler } from './model-samples.js';
import { modelMetrics } from './model-metrics.js';
import { protocolMetrics } from './protocol-metrics.js';
import type { RequestObserver } from './request-observation.js';

export interface MetricsOptions {
  /** Prefix of inferline's own metric names. Default 'inferline_'. */
  prefix?: string;
  /** Also export prom-client's default metrics (process_*, nodejs_*). Default true. */
  defaultMetrics?: boolean;
}

export interface Metrics {
  /** The private registry holding every metric (for Registry.merge, or a custom exporter). */
  readonly registry: Registry;
  /** The Content-Type of render()'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The metrics in Prometheus text format, read from the models now. */
  render(): Promise<string>;
  /** Counts and times one inference request answered by a protocol front. */
  readonly observeRequest: RequestObserver;
}

const kOptionNames = ['prefix', 'defaultMetrics'] as const;
const kMetricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Metrics for `models`: see the README's metrics table for every name and label.
 *
 * @example
 * const metrics = createMetrics(models);
 * const server = await startGrpcServer({ models, observeRequest: metrics.observeRequest });
 * http.createServer(async (req, res) => {
 *   res.setHeader('Content-Type', metrics.contentType);
 *   res.end(await metrics.render());
 * }).listen(8002);
 *
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad arguments.
 */
export function createMetrics(models: ServedModels, options?: MetricsOptions): Metrics {
  const what = 'createMetrics';
  if (typeof models !== 'object' || models === null || typeof models.index !== 'function' || typeof models.get !== 'function') {
    throw errors.invalidArg(`${what}: models must be a ServedModels (a ModelRepository or StaticModels), received ${describe(models)}`);
  }
  const given = optionsObject(options, what);
  checkKnownOptions(given, kOptionNames, what);
  const prefix = given.prefix ?? 'inferline_';
  if (typeof prefix !== 'string' || (prefix !== '' && !kMetricName.test(prefix))) {
    throw errors.invalidArg(`${what}: prefix must be a string of letters, digits, _ and : (not starting with a digit), received ${describe(prefix)}`);
  }
  const defaultMetrics = given.defaultMetrics ?? true;
  if (typeof defaultMetrics !== 'boolean') throw errors.invalidArg(`${what}: defaultMetrics must be a boolean, received ${describe(defaultMetrics)}`);

  const registry = new Registry();
  const sampler = new ModelSampler(models);
  for (const metric of modelMetrics(prefix, sampler)) metric.registerIn(registry);
  const observeRequest = protocolMetrics(prefix, registry);
  // Unprefixed on purpose: process_* and nodejs_* are the names dashboards for Node.js expect.
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeRequest,
  };
}
