/** serve() for the package's main entry, loading the serving front (fastify, gRPC, metrics) only when called. */
import type { InferlineServer, ServeOptions } from './serve.js';

/**
 * Starts serving a model repository (or given models) over KServe v2 REST and gRPC, with
 * Prometheus metrics; see src/server/serve.ts for the options.
 *
 * @example
 * const server = await serve({ repository: 'models', http: { port: 8000 }, grpc: { port: 8001 }, metrics: true });
 * await server.close();
 * @throws (rejects) as serve() in src/server/serve.ts.
 */
export async function serve(options: ServeOptions): Promise<InferlineServer> {
  const front = await import('./serve.js');
  return front.serve(options);
}
