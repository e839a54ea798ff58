/**
 * Bearer-token auth for gRPC calls: metadata `authorization: Bearer <token>`, as HTTP clients send
 * it in a header. Tokens are compared as SHA-256 digests in constant time, so neither a token's
 * bytes nor its length can be learned from response times.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { errors } from '../../errors.js';

function digestOf(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** A check of calls' metadata against `token`; the check throws when they do not carry it. */
export function bearerCheck(token: string): (metadata: Metadata) => void {
  const expected = digestOf(token);
  return (metadata) => {
    const values = metadata.get('authorization');
    const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
    if (header === undefined) throw errors.unauthorized('Missing credentials: send metadata "authorization: Bearer <token>"');
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match === null || !timingSafeEqual(digestOf(match[1]!), expected)) throw errors.unauthorized('Invalid bearer token');
  };
}
