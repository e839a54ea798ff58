/**
 * The GRPCInferenceService definition, loaded at run time from proto/grpc_service.proto (shipped
 * with the package) by @grpc/proto-loader, once per process.
 */
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { type Options, loadSync } from '@grpc/proto-loader';
import { errors } from '../../errors.js';

/** proto/ sits at the package root: three levels above both src/server/grpc/ and dist/server/grpc/. */
export const kProtoPath = fileURLToPath(new URL('../../../proto/grpc_service.proto', import.meta.url));

/**
 * How messages are converted. keepCase: the .proto's field names, as every client of the protocol
 * sees them. defaults: absent fields read as their defaults (empty strings and lists). 64-bit
 * integers stay Longs (exact; long-values.ts converts them); bytes stay Buffers that view the
 * received message (the raw-contents path copies nothing).
 */
export const kLoaderOptions: Options = { keepCase: true, defaults: true, oneofs: true };

let loaded: ServiceDefinition | undefined;

/** @throws ERR_INFERLINE_INTERNAL when the .proto is missing from the installation. */
export function inferenceServiceDefinition(): ServiceDefinition {
  if (loaded === undefined) {
    let definition;
    try {
      definition = loadSync(kProtoPath, kLoaderOptions);
    } catch (cause) {
      throw errors.internal(`Could not load the gRPC service definition ${kProtoPath}: ${(cause as Error).message}`);
    }
    loaded = definition['inference.GRPCInferenceService'] as ServiceDefinition;
  }
  return loaded;
}
