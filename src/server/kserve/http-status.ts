/**
 * The HTTP status for an error, in one place: the protocol's `{ "error": "..." }` body carries the
 * message, the status tells the client whose fault it was and whether to retry.
 */

/** How long a client should wait before retrying a 503 (Retry-After, seconds). */
export const kRetryAfterSeconds = 1;

const kStatusByCode: ReadonlyMap<string, number> = new Map([
  // The request is wrong: fix it, do not retry.
  ['ERR_INFERLINE_INVALID_ARG', 400],
  ['ERR_INFERLINE_UNKNOWN_OPTION', 400],
  ['ERR_INFERLINE_INVALID_TENSOR', 400],
  ['ERR_INFERLINE_UNKNOWN_INPUT', 400],
  ['ERR_INFERLINE_MISSING_INPUT', 400],
  ['ERR_INFERLINE_UNKNOWN_OUTPUT', 400],
  ['ERR_INFERLINE_DTYPE_MISMATCH', 400],
  ['ERR_INFERLINE_SHAPE_MISMATCH', 400],
  // Asked for something inferline does not do (the classification extension, loading a model
  // given to serve() already loaded).
  ['ERR_INFERLINE_UNSUPPORTED', 400],
  // A handler module rejected the request's data (or returned what cannot be served). A handler
  // that cannot even be imported (HANDLER_LOAD) is the server's fault: 500.
  ['ERR_INFERLINE_HANDLER_FAILED', 400],
  ['ERR_INFERLINE_HANDLER_RESULT', 400],
  ['ERR_INFERLINE_UNAUTHORIZED', 401],
  ['ERR_INFERLINE_UNKNOWN_MODEL', 404],
  ['ERR_INFERLINE_PAYLOAD_TOO_LARGE', 413],
  // Not now, maybe later: retry after Retry-After.
  ['ERR_INFERLINE_MODEL_NOT_READY', 503],
  ['ERR_INFERLINE_QUEUE_FULL', 503],
  ['ERR_INFERLINE_MODEL_UNLOADED', 503],
  ['ERR_INFERLINE_TIMEOUT', 504],
]);

/**
 * The status for `error`: by inferline code; else the status a framework error carries (fastify's
 * 4xx, e.g. a malformed URL); else 500.
 */
export function httpStatusOf(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  const status = typeof code === 'string' ? kStatusByCode.get(code) : undefined;
  if (status !== undefined) return status;
  const given = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof given === 'number' && Number.isInteger(given) && given >= 400 && given < 600) return given;
  return 500;
}
