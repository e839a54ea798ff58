// A real @grpc/grpc-js client of inference.GRPCInferenceService, built from the same .proto the
// server loads, with promise-returning calls; and the protocol's tensor encodings written out
// here on their own (not through the server's codec), so the tests check the wire format itself.
import { Metadata, credentials, loadPackageDefinition, type CallOptions, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { expect } from 'vitest';
import type { DType, TensorData } from '../../../src/index.js';
import { kProtoPath } from '../../../src/server/grpc/service-definition.js';

type Callback = (error: ServiceError | null, response: unknown) => void;
type UnaryMethod = (request: unknown, metadata: Metadata, options: CallOptions, callback: Callback) => void;

/** Longs as decimal strings: exact, and easy to compare with bigints. */
const kDefinition = loadSync(kProtoPath, { keepCase: true, defaults: true, oneofs: true, longs: String });
const kPackage = loadPackageDefinition(kDefinition) as unknown as {
  inference: { GRPCInferenceService: new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: object) => Client };
};

export class InferenceClient {
  readonly #client: Client;

  constructor(port: number, options: object = {}) {
    this.#client = new kPackage.inference.GRPCInferenceService(`127.0.0.1:${port}`, credentials.createInsecure(), options);
  }

  /** Calls `method` with `request`; `token` goes in as `authorization: Bearer <token>`. */
  call<Response = Record<string, any>>(method: string, request: object = {}, { token, metadata = new Metadata(), deadline }: { token?: string; metadata?: Metadata; deadline?: Date } = {}): Promise<Response> {
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    const unary = (this.#client as unknown as Record<string, UnaryMethod>)[method]!.bind(this.#client);
    return new Promise((resolve, reject) => {
      unary(request, metadata, deadline === undefined ? {} : { deadline }, (error, response) => (error === null ? resolve(response as Response) : reject(error)));
    });
  }

  close(): void {
    this.#client.close();
  }
}

/**
 * Expects `promise` to fail with gRPC status `code` (a name of grpc.status); returns the error.
 * `inferlineCode`: the error code the server must send in trailing metadata.
 */
export async function expectStatus(promise: Promise<unknown>, code: number, inferlineCode?: string, includes: string[] = []): Promise<ServiceError> {
  let error: ServiceError | undefined;
  try {
    await promise;
  } catch (caught) {
    error = caught as ServiceError;
  }
  expect(error, 'the call failed').toBeDefined();
  expect(error!.code, `status of: ${error!.details}`).toBe(code);
  if (inferlineCode !== undefined) expect(error!.metadata.get('inferline-error-code')).toEqual([inferlineCode]);
  for (const words of includes) expect(error!.details).toContain(words);
  return error!;
}

const kDatatypeOf: Record<DType, string> = {
  bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64', int8: 'INT8', int16: 'INT16', int32: 'INT32',
  int64: 'INT64', float16: 'FP16', bfloat16: 'BF16', float32: 'FP32', float64: 'FP64', string: 'BYTES',
};

export function datatypeName(dtype: DType): string {
  return kDatatypeOf[dtype];
}

/** The protocol's raw bytes of tensor data: little-endian elements; BYTES as 4-byte length + UTF-8. */
export function rawBytes(data: TensorData): Buffer {
  if (Array.isArray(data)) {
    return Buffer.concat(data.flatMap((text) => {
      const utf8 = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(utf8.length);
      return [length, utf8];
    }));
  }
  const view = data as Exclude<TensorData, string[]>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** The protocol's typed contents of tensor data (not FP16/BF16, which have no field). */
export function typedContents(dtype: DType, data: TensorData): Record<string, unknown[]> {
  switch (dtype) {
    case 'bool': return { bool_contents: Array.from(data as Uint8Array, (value) => value !== 0) };
    case 'int8': case 'int16': case 'int32': return { int_contents: Array.from(data as Int32Array) };
    case 'uint8': case 'uint16': case 'uint32': return { uint_contents: Array.from(data as Uint32Array) };
    case 'int64': return { int64_contents: Array.from(data as BigInt64Array, String) };
    case 'uint64': return { uint64_contents: Array.from(data as BigUint64Array, String) };
    case 'float32': return { fp32_contents: Array.from(data as Float32Array) };
    case 'float64': return { fp64_contents: Array.from(data as Float64Array) };
    case 'string': return { bytes_contents: (data as string[]).map((text) => Buffer.from(text, 'utf8')) };
    default: throw new Error(`${dtype} has no typed contents`);
  }
}

/** An input tensor of a request, typed (`contents`) or, when `raw`, without contents. */
export function inputTensor(name: string, dtype: DType, shape: number[], data: TensorData, raw: boolean): object {
  return raw ? { name, datatype: datatypeName(dtype), shape } : { name, datatype: datatypeName(dtype), shape, contents: typedContents(dtype, data) };
}

/** A ModelInferRequest for `inputs` ([name, dtype, shape, data]), all raw or all typed. */
export function inferRequest(model: string, inputs: Array<[string, DType, number[], TensorData]>, raw: boolean, extra: object = {}): object {
  return {
    model_name: model,
    inputs: inputs.map(([name, dtype, shape, data]) => inputTensor(name, dtype, shape, data, raw)),
    ...(raw ? { raw_input_contents: inputs.map(([, , , data]) => rawBytes(data)) } : {}),
    ...extra,
  };
}

interface OutputTensor {
  name: string;
  datatype: string;
  shape: string[];
  contents: Record<string, unknown[]> | null;
}

/**
 * The bytes of output `index` of a response, whichever way it came: raw_output_contents, or its
 * typed field re-encoded as raw bytes for `dtype`, so raw and typed answers compare byte for byte.
 */
export function outputBytes(response: { outputs: OutputTensor[]; raw_output_contents: Buffer[] }, index: number, dtype: DType): Buffer {
  if (response.raw_output_contents.length > 0) return response.raw_output_contents[index]!;
  const contents = response.outputs[index]!.contents!;
  switch (dtype) {
    case 'bool': return Buffer.from((contents.bool_contents as boolean[]).map((value) => (value ? 1 : 0)));
    case 'int8': return rawBytes(Int8Array.from(contents.int_contents as number[]));
    case 'int16': return rawBytes(Int16Array.from(contents.int_contents as number[]));
    case 'int32': return rawBytes(Int32Array.from(contents.int_contents as number[]));
    case 'uint8': return rawBytes(Uint8Array.from(contents.uint_contents as number[]));
    case 'uint16': return rawBytes(Uint16Array.from(contents.uint_contents as number[]));
    case 'uint32': return rawBytes(Uint32Array.from(contents.uint_contents as number[]));
    case 'int64': return rawBytes(BigInt64Array.from(contents.int64_contents as string[], BigInt));
    case 'uint64': return rawBytes(BigUint64Array.from(contents.uint64_contents as string[], BigInt));
    case 'float32': return rawBytes(Float32Array.from(contents.fp32_contents as number[]));
    case 'float64': return rawBytes(Float64Array.from(contents.fp64_contents as number[]));
    case 'string': return rawBytes((contents.bytes_contents as Buffer[]).map((bytes) => bytes.toString('utf8')));
    default: throw new Error(`${dtype} has no typed contents`);
  }
}
