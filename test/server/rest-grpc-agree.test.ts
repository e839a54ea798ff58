// The two fronts of one server answer the same request with the same tensors: REST JSON, REST
// binary and gRPC typed and raw contents, on float32, int64, BYTES and BOOL models, compared byte
// for byte in one form (raw little-endian bytes, or length-prefixed UTF-8 for BYTES).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.js';
import { type InferlineServer, serve } from '../../src/server/serve.js';
import type { DType, TensorData } from '../../src/tensor/dtype.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { InferenceClient, inferRequest, outputBytes } from './grpc/inference-client.js';
import { inferBinary, inferJson, type InputSpec, loadModels } from './http/kserve-client.js';

let models: Model[];
let server: InferlineServer;
let grpc: InferenceClient;

beforeAll(async () => {
  models = await loadModels(['mlp', 'int64-add', 'string', 'identity-bool']);
  server = await serve({ models, http: { port: 0 }, grpc: { port: 0 }, metrics: false });
  grpc = new InferenceClient(server.grpc!.port);
});

afterAll(async () => {
  grpc?.close();
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const kDatatype: Partial<Record<DType, string>> = { float32: 'FP32', int64: 'INT64', string: 'BYTES', bool: 'BOOL' };

interface Case {
  model: string;
  inputs: Array<[string, DType, number[], TensorData]>;
  output: DType;
}

const kCases: Case[] = [
  { model: 'mlp', inputs: [['x', 'float32', [3, 256], randomFloat32(3 * 256, 9)]], output: 'float32' },
  { model: 'int64-add', inputs: [['a', 'int64', [3], BigInt64Array.of(1n, -7n, 1234567n)], ['b', 'int64', [3], BigInt64Array.of(2n, 3n, -4n)]], output: 'int64' },
  { model: 'string', inputs: [['x', 'string', [3], ['hello', 'grün', 'x y z']]], output: 'string' },
  { model: 'identity-bool', inputs: [['x', 'bool', [2, 3], Uint8Array.of(1, 0, 1, 1, 0, 0)]], output: 'bool' },
];

describe('REST and gRPC agree on the same request', () => {
  it.each(kCases)('$model', async ({ model, inputs, output }) => {
    const url = `${server.http!.url}/v2/models/${model}/infer`;
    const specs: InputSpec[] = inputs.map(([name, dtype, shape, data]) => ({ name, datatype: kDatatype[dtype]!, shape, data: data as InputSpec['data'] }));
    const json = await inferJson(url, specs);
    const binary = await inferBinary(url, specs, { parameters: { binary_data_output: true } });
    const typed = await grpc.call<any>('ModelInfer', inferRequest(model, inputs, false));
    const raw = await grpc.call<any>('ModelInfer', inferRequest(model, inputs, true));
    expect(json.status).toBe(200);
    expect(binary.status).toBe(200);
    const reference = json.outputs[0]!;
    expect(binary.outputs[0]!.bytes.equals(reference.bytes), 'REST binary = REST JSON').toBe(true);
    expect(outputBytes(typed, 0, output).equals(reference.bytes), 'gRPC typed = REST JSON').toBe(true);
    expect(outputBytes(raw, 0, output).equals(reference.bytes), 'gRPC raw = REST JSON').toBe(true);
    expect(typed.outputs[0].shape.map(Number)).toEqual(reference.shape);
    expect(typed.outputs[0].datatype).toBe(reference.datatype);
  });
});
