// A small KServe v2 REST client over fetch, for the HTTP tests: JSON, binary tensor data extension
// and msgpack requests, and responses of each kind brought to one form (datatype, shape, raw
// little-endian bytes) so that tensors from different encodings compare byte for byte.
import { pack, unpack } from 'msgpackr';
import { Model } from '../../../src/model/model.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { type HttpServer, startHttpServer } from '../../../src/server/http/http-server.js';
import type { KserveHttpOptions } from '../../../src/server/http/http-options.js';
import { generatedModel } from '../../helpers/paths.js';

/** Loads generated test models, one small instance each (the machine is shared). */
export function loadModels(names: readonly string[], extra: Record<string, unknown> = {}): Promise<Model[]> {
  return Promise.all(names.map((name) => Model.load({ name, path: generatedModel(name), instances: { count: 1 }, session: { intraOpThreads: 1 }, ...extra })));
}

/** A REST server on 127.0.0.1, a free port, over StaticModels of `models`. */
export function startServer(models: readonly Model[], options: Partial<KserveHttpOptions> = {}): Promise<HttpServer> {
  return startHttpServer({ models: new StaticModels(models), port: 0, host: '127.0.0.1', ...options });
}

/** A tensor in the one form all encodings are compared in. */
export interface RawTensor {
  name: string;
  datatype: string;
  shape: number[];
  bytes: Buffer;
}

/** Raw little-endian bytes of typed data, or length-prefixed UTF-8 for strings. */
export function rawBytes(datatype: string, data: ArrayBufferView | readonly unknown[]): Buffer {
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  switch (datatype) {
    case 'BYTES':
      return Buffer.concat((data as string[]).flatMap((text) => {
        const utf8 = Buffer.from(text, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(utf8.length);
        return [length, utf8];
      }));
    case 'BOOL':
      return Buffer.from(Uint8Array.from(data as boolean[], (value) => (value ? 1 : 0)));
    case 'FP32':
      return rawBytes(datatype, Float32Array.from(data as number[]));
    case 'FP64':
      return rawBytes(datatype, Float64Array.from(data as number[]));
    case 'INT64':
      return rawBytes(datatype, BigInt64Array.from(data as number[], (value) => BigInt(value)));
    case 'INT32':
      return rawBytes(datatype, Int32Array.from(data as number[]));
    case 'UINT8':
      return rawBytes(datatype, Uint8Array.from(data as number[]));
    default:
      throw new Error(`rawBytes: no JSON conversion for ${datatype} in this test client`);
  }
}

export interface JsonOutput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

export interface InferResponse {
  status: number;
  headers: Headers;
  /** The JSON (or msgpack) answer. */
  body: Record<string, unknown>;
  /** Outputs as raw tensors (status 200 only). */
  outputs: RawTensor[];
}

/** Outputs of a JSON or binary-extension response as raw tensors. */
function outputsOf(body: Record<string, unknown>, binary: Buffer | undefined): RawTensor[] {
  let offset = 0;
  return ((body.outputs ?? []) as JsonOutput[]).map((output) => {
    const size = output.parameters?.binary_data_size;
    let bytes: Buffer;
    if (size !== undefined) {
      bytes = binary!.subarray(offset, offset + size);
      offset += size;
    } else {
      bytes = rawBytes(output.datatype, output.data!);
    }
    return { name: output.name, datatype: output.datatype, shape: output.shape, bytes };
  });
}

async function readResponse(response: Response): Promise<InferResponse> {
  const buffer = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/msgpack')) {
    const body = unpack(buffer) as Record<string, unknown>;
    const outputs = ((body.outputs ?? []) as Array<JsonOutput & { data: Uint8Array | string[] }>).map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: output.shape,
      bytes: Array.isArray(output.data) ? rawBytes('BYTES', output.data) : Buffer.from(output.data),
    }));
    return { status: response.status, headers: response.headers, body, outputs };
  }
  const headerLength = response.headers.get('inference-header-content-length');
  const jsonEnd = headerLength === null ? buffer.length : Number(headerLength);
  const body = JSON.parse(buffer.toString('utf8', 0, jsonEnd)) as Record<string, unknown>;
  const outputs = response.status === 200 ? outputsOf(body, headerLength === null ? undefined : buffer.subarray(jsonEnd)) : [];
  return { status: response.status, headers: response.headers, body, outputs };
}

export interface InputSpec {
  name: string;
  datatype: string;
  shape: number[];
  /** Typed data (raw bytes in binary and msgpack, converted for JSON) or strings for BYTES. */
  data: ArrayBufferView | string[];
}

/** JSON `data` for an input: numbers, bigints as numbers, booleans for BOOL, strings for BYTES. */
export function jsonData(input: InputSpec): unknown[] {
  const { data, datatype } = input;
  if (Array.isArray(data)) return data;
  if (datatype === 'BOOL') return Array.from(data as Uint8Array, (value) => value !== 0);
  if (datatype === 'INT64' || datatype === 'UINT64') return Array.from(data as BigInt64Array, (value) => Number(value));
  return Array.from(data as Float32Array);
}

export interface RequestExtras {
  id?: string;
  parameters?: Record<string, unknown>;
  outputs?: Array<{ name: string; parameters?: Record<string, unknown> }>;
  headers?: Record<string, string>;
}

function requestObject(inputs: Array<Record<string, unknown>>, extras: RequestExtras): Record<string, unknown> {
  const request: Record<string, unknown> = { inputs };
  if (extras.id !== undefined) request.id = extras.id;
  if (extras.parameters !== undefined) request.parameters = extras.parameters;
  if (extras.outputs !== undefined) request.outputs = extras.outputs;
  return request;
}

/** POSTs a JSON request. */
export async function inferJson(url: string, inputs: InputSpec[], extras: RequestExtras = {}): Promise<InferResponse> {
  const request = requestObject(inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: input.shape, data: jsonData(input) })), extras);
  return postRaw(url, JSON.stringify(request), { 'content-type': 'application/json', ...extras.headers });
}

/** POSTs a binary-extension request: every input's bytes after the JSON header. */
export async function inferBinary(url: string, inputs: InputSpec[], extras: RequestExtras = {}): Promise<InferResponse> {
  const chunks = inputs.map((input) => rawBytes(input.datatype, input.data));
  const request = requestObject(inputs.map((input, index) => ({
    name: input.name, datatype: input.datatype, shape: input.shape, parameters: { binary_data_size: chunks[index]!.length },
  })), extras);
  const header = Buffer.from(JSON.stringify(request), 'utf8');
  return postRaw(url, Buffer.concat([header, ...chunks]), {
    'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length), ...extras.headers,
  });
}

/** POSTs a msgpack request: typed data as msgpack byte strings (msgpackr packs typed arrays so). */
export async function inferMsgpack(url: string, inputs: InputSpec[], extras: RequestExtras = {}): Promise<InferResponse> {
  const request = requestObject(inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: input.shape, data: input.data })), extras);
  return postRaw(url, pack(request), { 'content-type': 'application/msgpack', ...extras.headers });
}

export async function postRaw(url: string, body: string | Buffer, headers: Record<string, string>): Promise<InferResponse> {
  return readResponse(await fetch(url, { method: 'POST', headers, body }));
}

/** GET or POST returning status and parsed JSON. */
export async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}
