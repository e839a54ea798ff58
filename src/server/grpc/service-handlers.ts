/**
 * The GRPCInferenceService RPCs over a ServedModels: health, metadata, inference and the model
 * repository extension. Every failure becomes a gRPC status through status-codes.ts.
 */
import type { Metadata, ServerUnaryCall, UntypedServiceImplementation, sendUnaryData } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { errors } from '../../errors.js';
import type { Model } from '../../model/model.js';
import type { ServedModels } from '../../repository/served-models.js';
import { modelMetadata } from '../kserve/metadata.js';
import type { RequestObserver } from '../metrics/request-observation.js';
import { decodeInferRequest } from './infer-request.js';
import { encodeInferResponse } from './infer-response.js';
import type { ModelIndex, ModelInferRequest, ModelInferResponse } from './messages.js';
import { grpcStatusOf, serviceErrorOf } from './status-codes.js';

export interface HandlerContext {
  models: ServedModels;
  /** Throws ERR_INFERLINE_UNAUTHORIZED for calls without the token; absent: no auth. */
  authorize: ((metadata: Metadata) => void) | undefined;
  observeRequest: RequestObserver | undefined;
  /** ServerMetadata's name and version. */
  serverName: string;
  serverVersion: string;
}

/**
 * The protocol extensions served over gRPC (Triton's names): the repository RPCs, and the
 * priority/timeout request parameters. binary_tensor_data is HTTP's; gRPC has raw contents.
 */
const kExtensions = ['model_repository', 'schedule_policy'];

type Run<Request, Response> = (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response> | Response;

/** A unary handler: authorise (unless `open`), run, answer with the result or the error's status. */
function unary<Request, Response>(context: HandlerContext, open: boolean, run: Run<Request, Response>) {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>): void => {
    let result: Promise<Response>;
    try {
      if (!open) context.authorize?.(call.metadata);
      result = Promise.resolve(run(call.request, call));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then((response) => callback(null, response), (error: unknown) => callback(serviceErrorOf(error)));
  };
}

/** `name`'s Model; an empty version is the server's choice, as the protocol says. */
function modelFor(models: ServedModels, name: string, version: string): Model {
  if (name === '') throw errors.invalidArg('The request names no model');
  return models.get(name, version === '' ? undefined : version);
}

/** ModelInfer, timed and reported to the observer when there is one (calls refused by auth are not). */
async function infer(context: HandlerContext, request: ModelInferRequest, call: ServerUnaryCall<ModelInferRequest, ModelInferResponse>): Promise<ModelInferResponse> {
  const started = context.observeRequest === undefined ? 0 : performance.now();
  let model: Model | undefined;
  // A cancelled call (by the client, or its deadline) withdraws the request if it is still queued.
  const controller = new AbortController();
  const onCancelled = (): void => controller.abort(errors.aborted('The gRPC call was cancelled'));
  if (call.cancelled) onCancelled();
  else call.once('cancelled', onCancelled);
  try {
    model = modelFor(context.models, request.model_name, request.model_version);
    const what = `Model "${model.name}" version "${model.version}"`;
    const decoded = decodeInferRequest(request, controller.signal, what);
    const results = await model.infer(decoded.feeds, decoded.options);
    const response = encodeInferResponse(model, request.id, results, decoded.requestedOutputs, decoded.raw, what);
    context.observeRequest?.({ protocol: 'grpc', model: model.name, version: model.version, status: 'OK', seconds: (performance.now() - started) / 1000 });
    return response;
  } catch (error) {
    context.observeRequest?.({
      protocol: 'grpc', model: model?.name ?? '', version: model?.version ?? '', status: status[grpcStatusOf(error)], seconds: (performance.now() - started) / 1000,
    });
    throw error;
  } finally {
    call.off('cancelled', onCancelled);
  }
}

interface NameAndVersion {
  name: string;
  version: string;
}

interface RepositoryModelRequest {
  repository_name: string;
  model_name: string;
  parameters: Record<string, unknown>;
}

/** Every RPC of the service, keyed by its name in the .proto. */
export function serviceHandlers(context: HandlerContext): UntypedServiceImplementation {
  const { models } = context;
  return {
    // Liveness and readiness stay open, so probes need no token.
    ServerLive: unary(context, true, () => ({ live: true })),
    ServerReady: unary(context, true, () => ({ ready: models.ready() })),
    ModelReady: unary<NameAndVersion, { ready: boolean }>(context, false, (request) => {
      try {
        modelFor(models, request.name, request.version);
        return { ready: true };
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_INFERLINE_MODEL_NOT_READY') return { ready: false };
        throw error;
      }
    }),
    ServerMetadata: unary(context, false, () => ({ name: context.serverName, version: context.serverVersion, extensions: kExtensions })),
    ModelMetadata: unary<NameAndVersion, unknown>(context, false, (request) => modelMetadata(modelFor(models, request.name, request.version), models)),
    ModelInfer: unary<ModelInferRequest, ModelInferResponse>(context, false, (request, call) => infer(context, request, call)),
    RepositoryIndex: unary<{ ready: boolean }, { models: ModelIndex[] }>(context, false, (request) => ({
      models: models.index().filter((entry) => !request.ready || entry.state === 'READY'),
    })),
    RepositoryModelLoad: unary<RepositoryModelRequest, object>(context, false, async (request) => {
      if (request.model_name === '') throw errors.invalidArg('RepositoryModelLoad: the request names no model');
      const given = Object.keys(request.parameters);
      if (given.length > 0) {
        throw errors.unsupported(`RepositoryModelLoad: parameters (${given.join(', ')}) are not supported; a model loads from its directory's config.json`);
      }
      await models.load(request.model_name);
      return {};
    }),
    RepositoryModelUnload: unary<RepositoryModelRequest, object>(context, false, async (request) => {
      if (request.model_name === '') throw errors.invalidArg('RepositoryModelUnload: the request names no model');
      await models.unload(request.model_name);
      return {};
    }),
  };
}
