/**
 * Bearer-token auth (`Authorization: Bearer <token>`). Tokens are compared through their SHA-256
 * digests with timingSafeEqual: constant time, and the digest hides the token's length too.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../../errors.js';

export interface AuthOptions {
  /** The token clients must send as `Authorization: Bearer <token>`. */
  token: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * A check of a request's headers against `token`.
 * The check throws ERR_INFERLINE_UNAUTHORIZED when the header is missing or wrong.
 */
export function bearerCheck(token: string): (headers: IncomingHttpHeaders) => void {
  const expected = digest(token);
  return (headers) => {
    const header = headers.authorization;
    if (header === undefined) throw errors.unauthorized('Missing Authorization header: send "Authorization: Bearer <token>"');
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (match === null) throw errors.unauthorized('Authorization header must be "Bearer <token>"');
    if (!timingSafeEqual(digest(match[1]!), expected)) throw errors.unauthorized('Wrong bearer token');
  };
}
