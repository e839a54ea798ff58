/**
 * inferline's error codes as gRPC status codes. The error's own code also travels in the
 * trailing metadata key `inferline-error-code`, so clients can branch on it as in-process
 * callers do.
 */
import { Metadata, status } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';

const kStatusOf: Readonly<Record<string, status>> = {
  ERR_INFERLINE_INVALID_ARG: status.INVALID_ARGUMENT,
  ERR_INFERLINE_UNKNOWN_OPTION: status.INVALID_ARGUMENT,
  ERR_INFERLINE_INVALID_TENSOR: status.INVALID_ARGUMENT,
  ERR_INFERLINE_UNKNOWN_INPUT: status.INVALID_ARGUMENT,
  ERR_INFERLINE_MISSING_INPUT: status.INVALID_ARGUMENT,
  ERR_INFERLINE_UNKNOWN_OUTPUT: status.INVALID_ARGUMENT,
  ERR_INFERLINE_DTYPE_MISMATCH: status.INVALID_ARGUMENT,
  ERR_INFERLINE_SHAPE_MISMATCH: status.INVALID_ARGUMENT,
  // A preprocess handler that throws was, as a rule, given an input it cannot use.
  ERR_INFERLINE_HANDLER_FAILED: status.INVALID_ARGUMENT,
  ERR_INFERLINE_UNKNOWN_MODEL: status.NOT_FOUND,
  ERR_INFERLINE_MODEL_NOT_READY: status.UNAVAILABLE,
  ERR_INFERLINE_MODEL_UNLOADED: status.UNAVAILABLE,
  ERR_INFERLINE_QUEUE_FULL: status.UNAVAILABLE,
  ERR_INFERLINE_SESSION_CLOSED: status.UNAVAILABLE,
  ERR_INFERLINE_POOL_CLOSED: status.UNAVAILABLE,
  ERR_INFERLINE_PAYLOAD_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  ERR_INFERLINE_UNAUTHORIZED: status.UNAUTHENTICATED,
  ERR_INFERLINE_TIMEOUT: status.DEADLINE_EXCEEDED,
  ERR_INFERLINE_ABORTED: status.CANCELLED,
  ERR_INFERLINE_UNSUPPORTED: status.UNIMPLEMENTED,
  ERR_INFERLINE_MODEL_CONFIG: status.FAILED_PRECONDITION,
  ERR_INFERLINE_MODEL_NOT_FOUND: status.FAILED_PRECONDITION,
};

/** The gRPC status for an error: by its inferline code, INTERNAL for anything else. */
export function grpcStatusOf(error: unknown): status {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' ? kStatusOf[code] : undefined) ?? status.INTERNAL;
}

/** What a handler passes to its callback for `error`. */
export function serviceErrorOf(error: unknown): Partial<StatusObject> {
  const metadata = new Metadata();
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_INFERLINE_')) metadata.set('inferline-error-code', code);
  return {
    code: grpcStatusOf(error),
    details: error instanceof Error ? error.message : String(error),
    metadata,
  };
}
