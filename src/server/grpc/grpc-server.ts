/**
 * The KServe v2 / Open Inference Protocol gRPC front: a @grpc/grpc-js server with
 * inference.GRPCInferenceService over a ServedModels.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { errors } from '../../errors.js';
import type { ServedModels } from '../../repository/served-models.js';
import { checkKnownOptions, describe, integerOption, isPlainObject, optionsObject } from '../../validate.js';
import type { RequestObserver } from '../metrics/request-observation.js';
import { bearerCheck } from './bearer-auth.js';
import { inferenceServiceDefinition } from './service-definition.js';
import { serviceHandlers } from './service-handlers.js';

export interface GrpcServerOptions {
  /** The models served: a ModelRepository, or StaticModels over Models loaded by the caller. */
  models: ServedModels;
  /** Port to listen on; 0 picks a free one (see the result's port). Default 8001, Triton's. */
  port?: number;
  /** Address to listen on. Default '127.0.0.1': nothing is reachable from other hosts unless asked. */
  host?: string;
  /** Require metadata `authorization: Bearer <token>` on every RPC but ServerLive and ServerReady. */
  auth?: { token: string };
  /** Largest message received or sent, in bytes; larger ones fail with RESOURCE_EXHAUSTED. Default 64 MiB. */
  maxMessageBytes?: number;
  /** How long close() waits for calls in flight before cutting them off, in ms. Default 30 000. */
  drainTimeoutMs?: number;
  /** Told about every ModelInfer answered past auth (createMetrics(...).observeRequest). */
  observeRequest?: RequestObserver;
}

export interface GrpcServer {
  /** The port listened on (the one picked when 0 was asked). */
  readonly port: number;
  /**
   * Stops accepting calls, waits for those in flight (up to drainTimeoutMs, then cancels them),
   * and releases the port. The models stay loaded: they belong to the caller. Calling it again
   * returns the same promise.
   */
  close(): Promise<void>;
}

const kOptionNames = ['models', 'port', 'host', 'auth', 'maxMessageBytes', 'drainTimeoutMs', 'observeRequest'] as const;
const kDefaultPort = 8001;
const kDefaultMaxMessageBytes = 64 * 1024 * 1024;
const kDefaultDrainTimeoutMs = 30_000;
const kModelsMethods = ['get', 'index', 'ready', 'load', 'unload'] as const;

const require = createRequire(import.meta.url);
const kVersion = (require('../../../package.json') as { version: string }).version;

interface ResolvedOptions {
  models: ServedModels;
  port: number;
  host: string;
  token: string | undefined;
  maxMessageBytes: number;
  drainTimeoutMs: number;
  observeRequest: RequestObserver | undefined;
}

function resolveOptions(given: unknown): ResolvedOptions {
  const what = 'startGrpcServer';
  const options = optionsObject(given, what);
  checkKnownOptions(options, kOptionNames, what);
  const models = options.models as ServedModels | undefined;
  if (typeof models !== 'object' || models === null || !kModelsMethods.every((method) => typeof models[method] === 'function')) {
    throw errors.invalidArg(`${what}: models must be a ServedModels (a ModelRepository or StaticModels), received ${describe(models)}`);
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw errors.invalidArg(`${what}: host must be a non-empty string, received ${describe(host)}`);
  let token: string | undefined;
  if (options.auth !== undefined) {
    const auth = options.auth;
    if (!isPlainObject(auth) || typeof auth.token !== 'string' || auth.token === '') {
      throw errors.invalidArg(`${what}: auth must be { token: <non-empty string> }, received ${describe(auth)}`);
    }
    token = auth.token;
  }
  const drainTimeoutMs = options.drainTimeoutMs ?? kDefaultDrainTimeoutMs;
  if (typeof drainTimeoutMs !== 'number' || !(drainTimeoutMs >= 0)) {
    throw errors.outOfRange(`${what}: drainTimeoutMs must be a non-negative number, received ${describe(drainTimeoutMs)}`);
  }
  const observeRequest = options.observeRequest;
  if (observeRequest !== undefined && typeof observeRequest !== 'function') {
    throw errors.invalidArg(`${what}: observeRequest must be a function, received ${describe(observeRequest)}`);
  }
  return {
    models,
    port: integerOption(options.port ?? kDefaultPort, `${what}: port`, 0, 65535),
    host,
    token,
    // gRPC's message size options are 32-bit signed.
    maxMessageBytes: integerOption(options.maxMessageBytes ?? kDefaultMaxMessageBytes, `${what}: maxMessageBytes`, 1, 2 ** 31 - 1),
    drainTimeoutMs,
    observeRequest: observeRequest as RequestObserver | undefined,
  };
}

/**
 * Serves the KServe v2 gRPC protocol (inference.GRPCInferenceService, proto/grpc_service.proto):
 * health, metadata, ModelInfer with typed or raw contents, and the model repository RPCs.
 *
 * @example
 * const models = new StaticModels([await Model.load({ name: 'mlp', path: 'mlp.onnx' })]);
 * const server = await startGrpcServer({ models, port: 8001 });
 * // ... clients call inference.GRPCInferenceService/ModelInfer on 127.0.0.1:8001
 * await server.close();
 *
 * @throws (rejects) ERR_INFERLINE_INVALID_ARG, ERR_INFERLINE_UNKNOWN_OPTION for bad options;
 * ERR_INFERLINE_UNSUPPORTED on a big-endian host (raw contents are little-endian views);
 * ERR_INFERLINE_INTERNAL when the address cannot be bound (the message has the reason, e.g. in use).
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const resolved = resolveOptions(options);
  if (endianness() !== 'LE') throw errors.unsupported('startGrpcServer: raw tensor contents are little-endian; this host is big-endian');
  const server = new Server({
    'grpc.max_receive_message_length': resolved.maxMessageBytes,
    'grpc.max_send_message_length': resolved.maxMessageBytes,
  });
  server.addService(inferenceServiceDefinition(), serviceHandlers({
    models: resolved.models,
    authorize: resolved.token === undefined ? undefined : bearerCheck(resolved.token),
    observeRequest: resolved.observeRequest,
    serverName: 'inferline',
    serverVersion: kVersion,
  }));
  // IPv6 literals are bracketed in a gRPC target, as in a URL.
  const address = `${resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host}:${resolved.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error === null) resolve(bound);
      else reject(errors.internal(`startGrpcServer: could not listen on ${address}: ${error.message}`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        // tryShutdown refuses new calls and lets those in flight finish; forceShutdown cancels
        // whatever is left once the drain time is up (and makes tryShutdown's callback run).
        const timer = setTimeout(() => server.forceShutdown(), resolved.drainTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
