/**
 * 'inferline/server': the serving front's building blocks, for embedding in a server you already
 * run (a fastify plugin, a node:http handler, the gRPC server, Prometheus metrics).
 */
export { serve } from './serve.js';
export type { ServeOptions, ListenOptions, InferlineServer } from './serve.js';
export { kserveHttp } from './http/kserve-http.js';
export type { KserveHttpOptions } from './http/http-options.js';
export { createKserveHandler } from './http/node-handler.js';
export type { KserveHandler } from './http/node-handler.js';
export { startGrpcServer } from './grpc/grpc-server.js';
export type { GrpcServer, GrpcServerOptions } from './grpc/grpc-server.js';
export { createMetrics } from './metrics/create-metrics.js';
export type { Metrics, MetricsOptions } from './metrics/create-metrics.js';
export type { RequestObservation, RequestObserver } from './metrics/request-observation.js';
export { StaticModels } from '../repository/static-models.js';
export type { ModelIndexEntry, ModelState, ServedModels } from '../repository/served-models.js';
