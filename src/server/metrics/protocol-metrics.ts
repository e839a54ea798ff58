/**
 * Metrics of the protocol fronts (HTTP, gRPC), fed by observeRequest: every inference request
 * answered, those refused before reaching a model included, and the front's time per request as
 * a real histogram (bucket counts, so replicas aggregate).
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RequestObserver } from './request-observation.js';

/** Seconds: 100 µs (a small model on a warm path) to 10 s (a large one behind a long queue). */
const kDurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function protocolMetrics(prefix: string, registry: Registry): RequestObserver {
  const requests = new Counter({
    name: `${prefix}protocol_requests_total`,
    help: 'Inference requests answered by a protocol front, by outcome (OK, a gRPC status name or an HTTP status code)',
    labelNames: ['protocol', 'model', 'version', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: `${prefix}protocol_request_duration_seconds`,
    help: 'Time from a request\'s arrival at a protocol front to its response, decoding and encoding included',
    labelNames: ['protocol', 'model', 'version'] as const,
    buckets: kDurationBuckets,
    registers: [registry],
  });
  return (observation) => {
    requests.inc({ protocol: observation.protocol, model: observation.model, version: observation.version, status: observation.status });
    durations.observe({ protocol: observation.protocol, model: observation.model, version: observation.version }, observation.seconds);
  };
}
