/** Errors as the protocol's REST answer: a status from httpStatusOf and `{ "error": message }`. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, kRetryAfterSeconds } from '../kserve/http-status.js';

/** fastify's error handler for the KServe routes. */
export function replyWithError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const status = httpStatusOf(error);
  if (status >= 500 && status !== 503 && status !== 504) request.log.error({ err: error }, 'KServe request failed');
  if (status === 503) reply.header('retry-after', String(kRetryAfterSeconds));
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: error.message }));
}
