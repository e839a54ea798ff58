/**
 * serve(): the whole serving front in one call: models from a repository directory (or given),
 * the KServe v2 REST and gRPC fronts, Prometheus metrics, and a close() that drains.
 */
import { ModelRepository } from '../repository/model-repository.js';
import type { ServedModels } from '../repository/served-models.js';
import { StaticModels } from '../repository/static-models.js';
import { startGrpcServer } from './grpc/grpc-server.js';
import { createApp, type HttpServer, addMetricsRoute, startHttpServer, urlOf } from './http/http-server.js';
import { type Metrics, createMetrics } from './metrics/create-metrics.js';
import { type ResolvedListen, type ResolvedServeOptions, type ServeOptions, resolveServeOptions } from './serve-options.js';

export type { ServeOptions, ListenOptions } from './serve-options.js';

export interface InferlineServer {
  /** What is served (the repository opened, or the ServedModels given or built). */
  readonly models: ServedModels;
  /** The REST front, unless http: false. */
  readonly http?: { port: number; url: string };
  /** The gRPC front, unless grpc: false. */
  readonly grpc?: { port: number };
  /** The metrics port, when metrics: { port } (with metrics: true they are at http.url + '/metrics'). */
  readonly metrics?: { port: number; url: string };
  /**
   * Graceful stop: the ports stop accepting, requests in flight are answered, then a repository
   * that serve() opened from a directory is closed. Models or a ServedModels given by the caller
   * stay loaded. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

async function openModels(source: ResolvedServeOptions['source'], pollMs: number | undefined): Promise<{ models: ServedModels; owned: boolean }> {
  if ('directory' in source) return { models: await ModelRepository.open(source.directory, pollMs === undefined ? {} : { pollMs }), owned: true };
  if ('served' in source) return { models: source.served, owned: false };
  return { models: new StaticModels(source.models), owned: false };
}

async function startMetricsServer(metrics: Metrics, listen: ResolvedListen, token: string | undefined): Promise<HttpServer> {
  const app = createApp(undefined);
  addMetricsRoute(app, metrics, token);
  await app.listen({ port: listen.port, host: listen.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  return { port, url: urlOf(listen.host, port), close: () => app.close() };
}

/**
 * Starts serving: opens the repository (or takes the models given), then the REST front, the
 * gRPC front and metrics as asked.
 *
 * @example
 * const server = await serve({ repository: 'models', http: { port: 8000 }, grpc: { port: 8001 }, metrics: true });
 * console.log(`curl ${server.http!.url}/v2/models/add`);
 * await server.close();
 *
 * @throws (rejects) ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad options; the
 * errors of ModelRepository.open; ERR_INFERLINE_INTERNAL when a port cannot be bound. Whatever
 * was started before a failure is closed again.
 */
export async function serve(options: ServeOptions): Promise<InferlineServer> {
  const resolved = resolveServeOptions(options);
  const { models, owned } = await openModels(resolved.source, resolved.pollMs);
  const closers: Array<() => Promise<void>> = [];
  const auth = resolved.token === undefined ? undefined : { token: resolved.token };
  let result: { http?: InferlineServer['http']; grpc?: InferlineServer['grpc']; metrics?: InferlineServer['metrics'] } = {};
  try {
    const metrics = resolved.metrics === undefined ? undefined : createMetrics(models);
    const observeRequest = metrics?.observeRequest;
    if (resolved.http !== undefined) {
      const http = await startHttpServer({
        models,
        ...resolved.http,
        ...(auth === undefined ? {} : { auth }),
        ...(resolved.bodyLimit === undefined ? {} : { bodyLimit: resolved.bodyLimit }),
        ...(observeRequest === undefined ? {} : { observeRequest }),
        ...(resolved.metrics === 'http' ? { metrics: metrics! } : {}),
      });
      closers.push(http.close);
      result = { ...result, http: { port: http.port, url: http.url } };
    }
    if (resolved.grpc !== undefined) {
      const grpc = await startGrpcServer({
        models,
        ...resolved.grpc,
        ...(auth === undefined ? {} : { auth }),
        ...(resolved.bodyLimit === undefined ? {} : { maxMessageBytes: resolved.bodyLimit }),
        ...(observeRequest === undefined ? {} : { observeRequest }),
      });
      closers.push(() => grpc.close());
      result = { ...result, grpc: { port: grpc.port } };
    }
    if (resolved.metrics !== undefined && resolved.metrics !== 'http') {
      const server = await startMetricsServer(metrics!, resolved.metrics, resolved.token);
      closers.push(server.close);
      result = { ...result, metrics: { port: server.port, url: `${server.url}/metrics` } };
    }
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    if (owned) await models.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    models,
    ...result,
    close: () => (closing ??= (async () => {
      // Fronts first (each waits for its requests in flight), then the models they were using.
      await Promise.all(closers.map((close) => close()));
      if (owned) await models.close();
    })()),
  };
}
