// The request body limit: a body over bodyLimit gets 413 with the protocol's { error } body, and
// the server never holds it. A 128 MiB body against a 1 MiB limit, declared (Content-Length,
// refused from the headers) or streamed (chunked, refused once past the limit), in every content
// type: the process's RSS (server and client share it) must not grow by anything near the body's
// size. The clients send one reused 64 KiB chunk at a time, so their own memory stays flat.
import { request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import type { HttpServer } from '../../../src/server/http/http-server.js';
import { inferJson, loadModels, startServer } from './kserve-client.js';

const kLimit = 1 << 20;
const kBodyBytes = 128 << 20;
const kChunk = Buffer.alloc(64 << 10, 0x20);

setFlagsFromString('--expose-gc');
/** A full GC, so that RSS measured after it holds only what is still referenced. */
const collect = runInNewContext('gc') as () => void;

let models: Model[];
let server: HttpServer;

beforeAll(async () => {
  models = await loadModels(['add']);
  server = await startServer(models, { bodyLimit: kLimit });
});

afterAll(async () => {
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

interface Upload {
  status: number;
  body: string;
}

/**
 * POSTs `total` bytes with a declared Content-Length through node:http, one reused chunk at a
 * time. The server answers 413 from the headers and closes the connection: the client stops
 * sending (a write error after the answer is expected and ignored).
 */
function uploadDeclared(path: string, total: number, headers: Record<string, string>): Promise<Upload> {
  return new Promise<Upload>((resolve, reject) => {
    const request = httpRequest(new URL(path, server.url), { method: 'POST', headers: { ...headers, 'content-length': String(total) } });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(parts).toString('utf8') }));
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !answered) {
        sent += kChunk.length;
        if (!request.write(kChunk)) {
          request.once('drain', pump);
          return;
        }
      }
      request.end();
    };
    pump();
  });
}

/** POSTs `total` bytes chunked through fetch, the body made lazily (pulled chunk by chunk). */
async function uploadChunked(path: string, total: number, headers: Record<string, string>): Promise<Upload> {
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += kChunk.length;
      controller.enqueue(kChunk);
    },
  });
  const response = await fetch(new URL(path, server.url), { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
  return { status: response.status, body: await response.text() };
}

/** Runs `work` while sampling RSS every few ms; the peak growth over the RSS before it. */
async function peakRssGrowth(work: () => Promise<Upload>): Promise<{ growth: number; result: Upload }> {
  collect();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { growth: peak - before, result };
  } finally {
    clearInterval(sampler);
  }
}

describe(`a ${kBodyBytes >> 20} MiB body against a ${kLimit >> 20} MiB limit`, () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['JSON, Content-Length', { 'content-type': 'application/json' }, true],
    ['JSON, chunked', { 'content-type': 'application/json' }, false],
    ['binary extension, Content-Length', { 'inference-header-content-length': '10' }, true],
    ['binary extension, chunked', { 'inference-header-content-length': '10' }, false],
    ['msgpack, Content-Length', { 'content-type': 'application/msgpack' }, true],
    ['msgpack, chunked', { 'content-type': 'application/msgpack' }, false],
  ];

  it.each(cases)('%s: 413 with { error }, and RSS grows by far less than the body', async (_label, headers, declared) => {
    const path = '/v2/models/add/infer';
    const { growth, result } = await peakRssGrowth(() => (declared ? uploadDeclared(path, kBodyBytes, headers) : uploadChunked(path, kBodyBytes, headers)));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toEqual({ error: expect.stringMatching(/larger than the limit of 1048576 bytes \(option bodyLimit\)/) });
    expect(growth).toBeLessThan(kBodyBytes / 4);
  });

  it('a body under the limit is still served', async () => {
    const response = await inferJson(`${server.url}/v2/models/add/infer`, [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) }]);
    expect(response.status).toBe(200);
  });
});
