/**
 * Reads a request body into one Buffer without ever holding more than the limit: a declared
 * Content-Length over the limit is refused before a byte is read, and a chunked body is refused
 * as soon as it passes the limit. After a refusal, what still arrives is dropped, not kept, until
 * fastify closes the connection behind the 413 (it does after any body-parser error). Clients
 * (undici's fetch, node:http) stop sending once they have the early answer, so reading on to the
 * end of a huge body would only stall them.
 */
import type { Readable } from 'node:stream';
import { errors } from '../../errors.js';

/** Bytes in memory before `alignAt` lands on a multiple of this (the widest element: 8 bytes). */
const kAlignment = 8;

function tooLarge(limit: number, declared?: number): Error {
  return errors.payloadTooLarge(
    `Request body ${declared === undefined ? 'is larger than' : `of ${declared} bytes is larger than`} the limit of ${limit} bytes (option bodyLimit)`,
  );
}

/**
 * The whole body, copied once out of the socket's chunks into one buffer placed so that byte
 * `alignAt` of the body sits at an 8-byte boundary in memory: there the binary extension's
 * tensors start, and typed arrays can then view them in place.
 *
 * @throws (rejects) ERR_INFERLINE_PAYLOAD_TOO_LARGE past `limit`; ERR_INFERLINE_INVALID_ARG when
 * the client aborts mid-body.
 */
export function readBody(payload: Readable, declaredLength: number | undefined, limit: number, alignAt: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (declaredLength !== undefined && declaredLength > limit) {
      payload.resume(); // flowing with no listener: the body is dropped as it comes
      reject(tooLarge(limit, declaredLength));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (): void => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
    };
    function onData(chunk: Buffer): void {
      received += chunk.length;
      if (received > limit) {
        stop();
        chunks.length = 0; // let what was read go now, not when the request ends
        payload.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      stop();
      resolve(assemble(chunks, received, alignAt));
    }
    function onError(error: Error): void {
      stop();
      reject(errors.invalidArg(`Request body could not be read: ${error.message}`));
    }
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/** One buffer holding `chunks`, with byte `alignAt` at an 8-byte boundary. */
function assemble(chunks: readonly Buffer[], length: number, alignAt: number): Buffer {
  // allocUnsafe's pool and fresh ArrayBuffers both start at multiples of 8; the slack covers any.
  const room = Buffer.allocUnsafe(length + kAlignment - 1);
  const pad = (kAlignment - ((room.byteOffset + alignAt) % kAlignment)) % kAlignment;
  const body = room.subarray(pad, pad + length);
  let offset = 0;
  for (const chunk of chunks) {
    chunk.copy(body, offset);
    offset += chunk.length;
  }
  return body;
}
