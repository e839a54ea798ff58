/**
 * The KServe v2 (Open Inference Protocol) REST front as a fastify plugin: health, server and
 * model metadata, readiness, inference (JSON, binary tensor data extension, msgpack) and the
 * model repository extension. Encapsulated: its body parsers, auth hook and error handler apply
 * to its own routes only, so it can be registered into an existing fastify app.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Packr } from 'msgpackr';
import { errors } from '../../errors.js';
import type { ServedModels } from '../../repository/served-models.js';
import type { RequestObserver } from '../metrics/request-observation.js';
import { encodeRestResponse, msgpackResponse } from '../kserve/encode-infer-response.js';
import { modelMetadata, serverMetadata } from '../kserve/metadata.js';
import { runInference } from '../kserve/run-inference.js';
import { bearerCheck } from './bearer-auth.js';
import { replyWithError } from './error-reply.js';
import { type KserveHttpOptions, resolveHttpOptions } from './http-options.js';
import { parseRequestBody, type RequestBody } from './request-body.js';

interface ModelParams {
  model: string;
  version?: string;
}

/** Route config: `open` routes skip auth (the health probes: kubelet and load balancers send no token). */
interface RouteConfig {
  open?: boolean;
}

const kMsgpackType = 'application/msgpack';

/** The model and version that served an infer request, kept on the request for observeRequest. */
const kServed = Symbol('inferline.served');

interface ServedBy {
  [kServed]?: { model: string; version: string };
}

// useRecords false: plain msgpack maps any client can read (records are a msgpackr extension).
const kPackr = new Packr({ useRecords: false });

function acceptsMsgpack(accept: string | undefined): boolean {
  return accept !== undefined && (accept.includes(kMsgpackType) || accept.includes('application/x-msgpack'));
}

/** An AbortSignal that fires when the client goes away before its answer is written. */
function signalOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(errors.aborted('The client closed the connection'));
  });
  return controller.signal;
}

async function infer(models: ServedModels, request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply): Promise<FastifyReply> {
  const body = request.body as RequestBody | undefined;
  if (body?.value === undefined) throw errors.invalidArg('Infer needs a request body: { "inputs": [...] }');
  const asMsgpack = body.format === 'msgpack' || acceptsMsgpack(request.headers.accept);
  const result = await runInference(models, {
    modelName: request.params.model,
    modelVersion: request.params.version,
    body: body.value,
    binary: body.binary,
    jsonOutputs: !asMsgpack,
    signal: signalOnDisconnect(reply),
  });
  (request as ServedBy)[kServed] = { model: result.modelName, version: result.modelVersion };
  if (asMsgpack) return reply.type(kMsgpackType).send(kPackr.pack(msgpackResponse(result)));
  const { json, binary } = encodeRestResponse(result);
  if (binary.length === 0) return reply.type('application/json; charset=utf-8').send(json);
  const header = Buffer.from(json, 'utf8');
  // One copy of the outputs into the body: a single write beats a stream of small pieces here.
  return reply
    .header('inference-header-content-length', String(header.length))
    .type('application/octet-stream')
    .send(Buffer.concat([header, ...binary]));
}

/** An onResponse hook telling `observe` about each infer request answered. */
function observer(models: ServedModels, observe: RequestObserver) {
  return (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply, done: () => void): void => {
    let served = (request as ServedBy)[kServed];
    if (served === undefined) {
      // Failed: the model named, if the server knows it (metrics must not grow a label per typo).
      const { model, version } = request.params;
      const known = models.index().some((entry) => entry.name === model);
      served = { model: known ? model : '', version: known ? version ?? '' : '' };
    }
    const status = reply.statusCode === 200 ? 'OK' : String(reply.statusCode);
    try {
      observe({ protocol: 'http', model: served.model, version: served.version, status, seconds: reply.elapsedTime / 1000 });
    } catch (error) {
      // A failing observer must not fail requests: the answer has been sent already.
      request.log.error({ err: error }, 'observeRequest threw');
    }
    done();
  };
}

function routes(app: FastifyInstance, models: ServedModels, observe: RequestObserver | undefined): void {
  const open: { config: RouteConfig } = { config: { open: true } };
  app.get('/v2/health/live', open, async () => ({ live: true }));
  app.get('/v2/health/ready', open, async () => {
    if (!models.ready()) throw errors.modelNotReady('Server is not ready: not every model is READY (see POST /v2/repository/index)');
    return { ready: true };
  });
  app.get('/v2', async () => serverMetadata());

  const metadata = async (request: FastifyRequest<{ Params: ModelParams }>) =>
    modelMetadata(models.get(request.params.model, request.params.version), models);
  app.get('/v2/models/:model', metadata);
  app.get('/v2/models/:model/versions/:version', metadata);

  const ready = async (request: FastifyRequest<{ Params: ModelParams }>) => {
    const model = models.get(request.params.model, request.params.version);
    return { name: model.name, version: model.version, ready: true };
  };
  app.get('/v2/models/:model/ready', ready);
  app.get('/v2/models/:model/versions/:version/ready', ready);

  const inferRoute = {
    handler: (request: FastifyRequest<{ Params: ModelParams }>, reply: FastifyReply) => infer(models, request, reply),
    ...(observe === undefined ? {} : { onResponse: observer(models, observe) }),
  };
  app.post('/v2/models/:model/infer', inferRoute);
  app.post('/v2/models/:model/versions/:version/infer', inferRoute);

  app.post('/v2/repository/index', async (request) => {
    const filter = (request.body as RequestBody | undefined)?.value as { ready?: unknown } | undefined;
    const entries = models.index();
    return filter?.ready === true ? entries.filter((entry) => entry.state === 'READY') : entries;
  });
  app.post('/v2/repository/models/:model/load', async (request: FastifyRequest<{ Params: ModelParams }>) => {
    await models.load(request.params.model);
    return {};
  });
  app.post('/v2/repository/models/:model/unload', async (request: FastifyRequest<{ Params: ModelParams }>) => {
    await models.unload(request.params.model);
    return {};
  });
}

/**
 * The KServe v2 REST endpoints as a fastify plugin, for an app you already run:
 *
 * @example
 * import Fastify from 'fastify';
 * import { kserveHttp, StaticModels, Model } from 'inferline';
 * const app = Fastify();
 * await app.register(kserveHttp, { models: new StaticModels([await Model.load({ name: 'add', path: 'add.onnx' })]) });
 * await app.listen({ port: 8000 });
 *
 * Routes: GET /v2/health/live, /v2/health/ready, /v2, /v2/models/:m[/versions/:v][/ready];
 * POST /v2/models/:m[/versions/:v]/infer, /v2/repository/index,
 * /v2/repository/models/:m/load and /unload. With `auth`, every route but the two health probes
 * needs `Authorization: Bearer <token>`. Errors are `{ "error": message }` with 400, 401, 404,
 * 413, 503 (with Retry-After), 504 or 500.
 *
 * @throws ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION (at register) for bad options.
 */
export const kserveHttp: FastifyPluginAsync<KserveHttpOptions> = async (app, options) => {
  const { models, token, bodyLimit, observeRequest } = resolveHttpOptions(options, 'kserveHttp');
  // One parser for every body: the binary extension is told by a header, not the content type,
  // and fastify's own parsers would buffer a body before our limit could refuse it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: FastifyRequest['raw']) => parseRequestBody(request.raw, payload, bodyLimit));
  if (token !== undefined) {
    const check = bearerCheck(token);
    // onRequest: before the body is read, so an unauthenticated upload is never buffered.
    app.addHook('onRequest', (request, _reply, done) => {
      if ((request.routeOptions.config as RouteConfig).open === true) return done();
      try {
        check(request.headers);
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
  }
  app.setErrorHandler(replyWithError);
  routes(app, models, observeRequest);
};
