/**
 * A standalone HTTP server for the KServe REST front (and, when asked, GET /metrics): a fastify
 * app that owns its port. serve() starts one; embedders use kserveHttp or createKserveHandler.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { errors } from '../../errors.js';
import { bearerCheck } from './bearer-auth.js';
import { replyWithError } from './error-reply.js';
import type { KserveHttpOptions } from './http-options.js';
import { kserveHttp } from './kserve-http.js';

/** Prometheus text for GET /metrics. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface HttpServerOptions extends KserveHttpOptions {
  port: number;
  host: string;
  /** Serve GET /metrics from this source on the same port (behind auth, when auth is set). */
  metrics?: MetricsSource;
}

export interface HttpServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:8000 */
  readonly url: string;
  /** Stops accepting connections and resolves once requests in flight are answered. */
  close(): Promise<void>;
}

/** Node's own default; fastify turns it off. It bounds a client that never finishes its body. */
const kRequestTimeoutMs = 300_000;

export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** GET /metrics on `app`, behind the same bearer token as the KServe routes when there is one. */
export function addMetricsRoute(app: FastifyInstance, metrics: MetricsSource, token: string | undefined): void {
  const check = token === undefined ? undefined : bearerCheck(token);
  app.get('/metrics', {
    onRequest: (request, _reply, done) => {
      try {
        check?.(request.headers);
      } catch (error) {
        return done(error as Error);
      }
      done();
    },
    errorHandler: replyWithError,
  }, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()));
}

/** A fastify app answering unknown routes in the protocol's `{ "error" }` form. */
export function createApp(bodyLimit: number | undefined): FastifyInstance {
  const app = Fastify({
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
    requestTimeout: kRequestTimeoutMs,
    // Keep-alive connections with nothing in flight close at once on close(); busy ones finish.
    forceCloseConnections: 'idle',
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `Not found: ${request.method} ${request.url}` });
  });
  // close() closes the connections idle at that moment; one busy with a request would otherwise
  // stay open after its answer until the keep-alive timeout (72 s in fastify), and close() with
  // it. Answers sent while closing say `Connection: close`, so Node ends the socket behind them.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return app;
}

/**
 * Starts the KServe REST front on `host:port` (0 picks a free port).
 *
 * @throws (rejects) the option errors of kserveHttp; ERR_INFERLINE_INTERNAL when the address
 * cannot be bound (the message says why, e.g. in use).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { port, host, metrics, ...kserve } = options;
  const app = createApp(kserve.bodyLimit);
  await app.register(kserveHttp, kserve);
  if (metrics !== undefined) addMetricsRoute(app, metrics, kserve.auth?.token);
  try {
    await app.listen({ port, host });
  } catch (error) {
    await app.close();
    throw errors.internal(`HTTP server could not listen on ${urlOf(host, port)}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: urlOf(host, bound),
    close: () => (closing ??= app.close()),
  };
}
