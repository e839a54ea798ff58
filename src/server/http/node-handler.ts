/**
 * The KServe REST front as a plain node:http request handler, for servers that are not fastify:
 * a private fastify instance (never listening) runs the plugin, and requests enter it through
 * fastify.routing, its documented entry for requests from a server it does not own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusOf } from '../kserve/http-status.js';
import { type KserveHttpOptions, resolveHttpOptions } from './http-options.js';
import { createApp } from './http-server.js';
import { kserveHttp } from './kserve-http.js';

/** A node:http request handler with a close() for the resources behind it. */
export interface KserveHandler {
  (request: IncomingMessage, response: ServerResponse): void;
  /** Resolves once the routes are set up (requests made before wait for it anyway). */
  ready(): Promise<void>;
  /** Releases the handler's fastify instance; the models stay loaded (they are the caller's). */
  close(): Promise<void>;
}

/**
 * A `(req, res)` handler serving the KServe v2 REST routes (see kserveHttp), to mount in a
 * node:http (or express, koa, ...) server. The URL must reach it unchanged (`/v2/...`).
 *
 * @example
 * const handler = createKserveHandler({ models: new StaticModels([model]) });
 * http.createServer((req, res) => (req.url?.startsWith('/v2') ? handler(req, res) : mine(req, res))).listen(8000);
 *
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad options.
 */
export function createKserveHandler(options: KserveHttpOptions): KserveHandler {
  const resolved = resolveHttpOptions(options, 'createKserveHandler');
  const app = createApp(resolved.bodyLimit);
  void app.register(kserveHttp, options);
  const started: Promise<void> = Promise.resolve(app.ready()).then(() => undefined);
  // Surfaced by ready() and by each request; nothing else may see it unhandled.
  started.catch(() => {});
  const handler = ((request: IncomingMessage, response: ServerResponse) => {
    started.then(
      () => app.routing(request, response),
      (error: unknown) => {
        response.statusCode = httpStatusOf(error);
        response.setHeader('content-type', 'application/json; charset=utf-8');
        response.end(JSON.stringify({ error: (error as Error).message }));
      },
    );
  }) as KserveHandler;
  handler.ready = () => started;
  handler.close = () => app.close();
  return handler;
}
