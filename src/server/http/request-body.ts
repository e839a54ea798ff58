/**
 * Request bodies of the KServe REST routes, in three forms: JSON; the binary tensor data
 * extension (a JSON header of `Inference-Header-Content-Length` bytes, then raw tensor bytes;
 * recognised by that header whatever the content type, since Triton's clients send none); and
 * msgpack (`application/msgpack`: the same request object, byte strings for tensor data).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Unpackr } from 'msgpackr';
import { errors } from '../../errors.js';
import { readBody } from './read-body.js';

export type BodyFormat = 'json' | 'binary' | 'msgpack';

/** A parsed body: the request object, and the binary section of a binary-extension body. */
export interface RequestBody {
  format: BodyFormat;
  /** The JSON (or msgpack) value; undefined for an empty body. */
  value: unknown;
  /** The bytes after the JSON header (binary extension only): views, aligned at 8 bytes. */
  binary: Uint8Array | undefined;
}

const kMsgpackTypes: ReadonlySet<string> = new Set(['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack']);

// mapsAsObjects: msgpack maps become plain objects, as JSON's do (msgpackr renames a
// "__proto__" key rather than set the prototype). 64-bit integers come back as bigints.
const kUnpackr = new Unpackr({ mapsAsObjects: true, useRecords: false });

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

function headerLengthOf(request: IncomingMessage): number | undefined {
  const header = request.headers['inference-header-content-length'];
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) {
    throw errors.invalidArg(`Inference-Header-Content-Length must be a byte count, received ${JSON.stringify(header)}`);
  }
  return Number(text);
}

function parseJson(body: Buffer, start: number, end: number, what: string): unknown {
  if (end === start) return undefined;
  try {
    return JSON.parse(body.toString('utf8', start, end));
  } catch (error) {
    throw errors.invalidArg(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function formatOf(request: IncomingMessage, headerLength: number | undefined): BodyFormat {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw errors.unsupported(`Content-Encoding ${encoding} is not supported: send the body uncompressed`);
  }
  if (headerLength !== undefined) return 'binary';
  const contentType = request.headers['content-type'];
  if (contentType === undefined) return 'json';
  const media = mediaType(contentType);
  if (kMsgpackTypes.has(media)) return 'msgpack';
  if (media === 'application/json' || media === '') return 'json';
  if (media === 'application/octet-stream') {
    throw errors.invalidArg('An application/octet-stream body is the binary tensor data extension and needs the Inference-Header-Content-Length header (the length of its JSON part)');
  }
  throw errors.unsupported(`Content-Type ${contentType} is not supported: send application/json, application/msgpack, or the binary tensor data extension (Inference-Header-Content-Length)`);
}

/**
 * Reads and parses a body, holding at most `limit` bytes.
 *
 * @throws (rejects) ERR_INFERLINE_PAYLOAD_TOO_LARGE; ERR_INFERLINE_INVALID_ARG for a body that
 * does not parse or a bad Inference-Header-Content-Length; ERR_INFERLINE_UNSUPPORTED for another
 * content type or a compressed body.
 */
export async function parseRequestBody(request: IncomingMessage, payload: Readable, limit: number): Promise<RequestBody> {
  let headerLength: number | undefined;
  let format: BodyFormat;
  try {
    headerLength = headerLengthOf(request);
    format = formatOf(request, headerLength);
  } catch (error) {
    payload.resume(); // refused unread: drop the body as it comes (see read-body.ts)
    throw error;
  }
  const declared = request.headers['content-length'];
  const body = await readBody(payload, declared === undefined ? undefined : Number(declared), limit, headerLength ?? 0);
  switch (format) {
    case 'json':
      return { format, value: parseJson(body, 0, body.length, 'Request body'), binary: undefined };
    case 'binary':
      if (headerLength! > body.length) {
        throw errors.invalidArg(`Inference-Header-Content-Length ${headerLength} is larger than the body (${body.length} bytes)`);
      }
      return { format, value: parseJson(body, 0, headerLength!, 'The JSON header of the binary body'), binary: body.subarray(headerLength) };
    case 'msgpack':
      if (body.length === 0) return { format, value: undefined, binary: undefined };
      try {
        return { format, value: kUnpackr.unpack(body), binary: undefined };
      } catch (error) {
        throw errors.invalidArg(`Request body is not valid msgpack: ${(error as Error).message}`);
      }
  }
}
