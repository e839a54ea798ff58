// ModelInfer over a real gRPC connection: typed contents and raw contents give byte-identical
// outputs, equal to the same request made in-process; every datatype round-trips; requested
// outputs, the id and the response's encoding follow the protocol (raw in, raw out, as Triton).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model, Tensor, type DType, type TensorData } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { kAllDTypes } from '../../fixtures/onnx-dtypes.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomData, randomFloat32 } from '../../helpers/random-data.js';
import { InferenceClient, inferRequest, outputBytes, rawBytes } from './inference-client.js';

const kSession = { intraOpThreads: 1 } as const;
let server: GrpcServer;
let client: InferenceClient;
const models: Model[] = [];

async function load(name: string, file = name, batching: { maxBatchSize: number } | false = false): Promise<Model> {
  const model = await Model.load({ name, path: generatedModel(file), session: kSession, instances: { count: 1 }, batching });
  models.push(model);
  return model;
}

beforeAll(async () => {
  await load('mlp', 'mlp', { maxBatchSize: 64 });
  await load('int64-add');
  await load('string');
  await load('multi-io');
  for (const dtype of kAllDTypes) await load(`identity-${dtype}`);
  server = await startGrpcServer({ models: new StaticModels(models), port: 0 });
  client = new InferenceClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await Promise.all(models.map((model) => model.unload()));
});

const byName = (name: string): Model => models.find((model) => model.name === name)!;

type Input = [string, DType, number[], TensorData];

/** The request made in-process, for reference: output `name`'s raw bytes. */
async function inProcess(model: string, inputs: Input[], name: string): Promise<Buffer> {
  const feeds = Object.fromEntries(inputs.map(([input, dtype, shape, data]) => [input, new Tensor(dtype, data, shape)]));
  const results = await byName(model).infer(feeds);
  return rawBytes(results[name]!.data);
}

/** Sends `inputs` typed and raw; checks both answers byte for byte against the in-process result. */
async function expectRawEqualsTyped(model: string, inputs: Input[], output: string, dtype: DType): Promise<void> {
  const expected = await inProcess(model, inputs, output);
  const typed = await client.call<any>('ModelInfer', inferRequest(model, inputs, false));
  const raw = await client.call<any>('ModelInfer', inferRequest(model, inputs, true));
  expect(typed.raw_output_contents, 'a typed request gets typed contents').toEqual([]);
  expect(raw.raw_output_contents, 'a raw request gets raw contents').toHaveLength(typed.outputs.length);
  for (const response of [typed, raw]) {
    const index = response.outputs.findIndex((tensor: { name: string }) => tensor.name === output);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(outputBytes(response, index, dtype).equals(expected), `${model} ${output}`).toBe(true);
  }
}

describe('raw and typed contents give identical outputs', () => {
  it('float32 [N,256] mlp, N = 1 and 5', async () => {
    for (const rows of [1, 5]) {
      await expectRawEqualsTyped('mlp', [['x', 'float32', [rows, 256], randomFloat32(rows * 256, rows)]], 'y', 'float32');
    }
  });

  it('int64 beyond 2^53 and negative', async () => {
    const a = BigInt64Array.from([2n ** 62n, -(2n ** 60n) - 3n, 1n, -1n]);
    const b = BigInt64Array.from([12345n, 7n, 2n ** 53n + 1n, -(2n ** 63n) + 1n]);
    await expectRawEqualsTyped('int64-add', [['a', 'int64', [4], a], ['b', 'int64', [4], b]], 'sum', 'int64');
    const typed = await client.call<any>('ModelInfer', inferRequest('int64-add', [['a', 'int64', [4], a], ['b', 'int64', [4], b]], false));
    // Wrapping add, as ONNX Runtime's Add on int64.
    expect(typed.outputs[0].contents.int64_contents).toEqual([...a].map((value, i) => String(BigInt.asIntN(64, value + b[i]!))));
    expect(typed.outputs[0].contents.int64_contents[0]).toBe('4611686018427400249');
  });

  it('BYTES through the string model, non-ASCII and empty strings included', async () => {
    const words = ['hello', 'grün', '', 'mixed Case 123'];
    await expectRawEqualsTyped('string', [['x', 'string', [words.length], words]], 'y', 'string');
    const typed = await client.call<any>('ModelInfer', inferRequest('string', [['x', 'string', [words.length], words]], false));
    expect(typed.outputs[0].datatype).toBe('BYTES');
    expect(typed.outputs[0].contents.bytes_contents.map((bytes: Buffer) => bytes.toString('utf8'))).toEqual(['HELLO', 'GRÜN', '', 'MIXED CASE 123']);
  });

  it('BOOL', async () => {
    const data = Uint8Array.from([1, 0, 0, 1, 1, 1]);
    await expectRawEqualsTyped('identity-bool', [['x', 'bool', [2, 3], data]], 'y', 'bool');
  });

  it.each(kAllDTypes.filter((dtype) => dtype !== 'float16' && dtype !== 'bfloat16'))('%s identity: the data comes back as sent', async (dtype) => {
    const data = randomData(dtype, 12, 7);
    await expectRawEqualsTyped(`identity-${dtype}`, [['x', dtype, [3, 4], data]], 'y', dtype);
    const raw = await client.call<any>('ModelInfer', inferRequest(`identity-${dtype}`, [['x', dtype, [3, 4], data]], true));
    expect(raw.raw_output_contents[0].equals(rawBytes(data))).toBe(true);
    expect(raw.outputs[0]).toMatchObject({ name: 'y', shape: ['3', '4'] });
  });
});

describe('empty tensors', () => {
  it.each(['int64', 'float32', 'string'] as const)('%s [0,3] with no contents message at all', async (dtype) => {
    const response = await client.call<any>('ModelInfer', { model_name: `identity-${dtype}`, inputs: [{ name: 'x', datatype: dtype === 'string' ? 'BYTES' : dtype === 'int64' ? 'INT64' : 'FP32', shape: [0, 3] }] });
    expect(response.outputs[0].shape).toEqual(['0', '3']);
  });
});

describe('FP16 and BF16 travel raw only', () => {
  it.each(['float16', 'bfloat16'] as const)('%s: raw in, raw out, bit-exact', async (dtype) => {
    const data = randomData(dtype, 8, 3);
    const response = await client.call<any>('ModelInfer', inferRequest(`identity-${dtype}`, [['x', dtype, [2, 4], data]], true));
    expect(response.outputs[0].datatype).toBe(dtype === 'float16' ? 'FP16' : 'BF16');
    expect(response.raw_output_contents[0].equals(rawBytes(data))).toBe(true);
  });
});

describe('raw contents at any offset in the message', () => {
  it('the same answer whatever the alignment of each input in the received message', async () => {
    // The id comes before the inputs on the wire: 0-7 more bytes of it shift where each raw input
    // lands, so the server takes both its zero-copy path and its copying one.
    const inputs: Input[] = [['x', 'float32', [2, 256], randomFloat32(512, 11)]];
    const expected = await inProcess('mlp', inputs, 'y');
    for (let shift = 0; shift < 8; shift++) {
      const response = await client.call<any>('ModelInfer', inferRequest('mlp', inputs, true, { id: 'i'.repeat(shift) }));
      expect(response.raw_output_contents[0].equals(expected), `shift ${shift}`).toBe(true);
    }
    const int64: Input[] = [['a', 'int64', [3], BigInt64Array.from([1n, 2n, 3n])], ['b', 'int64', [3], BigInt64Array.from([10n, 20n, 2n ** 55n])]];
    for (let shift = 0; shift < 8; shift++) {
      const response = await client.call<any>('ModelInfer', inferRequest('int64-add', int64, true, { id: 'j'.repeat(shift) }));
      expect([...new BigInt64Array(Uint8Array.from(response.raw_output_contents[0]).buffer)], `shift ${shift}`).toEqual([11n, 22n, 2n ** 55n + 3n]);
    }
  });
});

describe('the response', () => {
  const a = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = Float32Array.from([2, 2, 2, 2, -1, -1, -1, -1]);
  const inputs: Input[] = [['a', 'float32', [2, 4], a], ['b', 'float32', [2, 4], b]];

  it('names the model and version and echoes the id', async () => {
    const response = await client.call<any>('ModelInfer', inferRequest('multi-io', inputs, false, { id: 'request-42' }));
    expect(response).toMatchObject({ model_name: 'multi-io', model_version: byName('multi-io').version, id: 'request-42' });
    const anonymous = await client.call<any>('ModelInfer', inferRequest('multi-io', inputs, false));
    expect(anonymous.id).toBe('');
  });

  it('has every output when none is requested', async () => {
    const response = await client.call<any>('ModelInfer', inferRequest('multi-io', inputs, false));
    expect(response.outputs.map((output: { name: string }) => output.name).sort()).toEqual(['prod', 'sum']);
  });

  it('has only the requested outputs, in the order asked', async () => {
    for (const raw of [false, true]) {
      const response = await client.call<any>('ModelInfer', inferRequest('multi-io', inputs, raw, { outputs: [{ name: 'prod' }, { name: 'sum' }] }));
      expect(response.outputs.map((output: { name: string }) => output.name)).toEqual(['prod', 'sum']);
      expect([...new Float32Array(Uint8Array.from(outputBytes(response, 0, 'float32')).buffer)]).toEqual([2, 4, 6, 8, -5, -6, -7, -8]);
      expect([...new Float32Array(Uint8Array.from(outputBytes(response, 1, 'float32')).buffer)]).toEqual([3, 4, 5, 6, 4, 5, 6, 7]);
      const one = await client.call<any>('ModelInfer', inferRequest('multi-io', inputs, raw, { outputs: [{ name: 'sum' }] }));
      expect(one.outputs.map((output: { name: string }) => output.name)).toEqual(['sum']);
      expect(one.outputs[0]).toMatchObject({ datatype: 'FP32', shape: ['2', '4'] });
    }
  });

  it('takes model_version: the model\'s own version works', async () => {
    const version = byName('mlp').version;
    const response = await client.call<any>('ModelInfer', inferRequest('mlp', [['x', 'float32', [1, 256], randomFloat32(256, 1)]], true, { model_version: version }));
    expect(response.model_version).toBe(version);
  });

  it('takes Triton\'s priority and timeout parameters', async () => {
    const response = await client.call<any>('ModelInfer', inferRequest('mlp', [['x', 'float32', [1, 256], randomFloat32(256, 2)]], true, {
      parameters: { priority: { int64_param: 1 }, timeout: { uint64_param: 60_000_000 } },
    }));
    expect(response.outputs[0].shape).toEqual(['1', '256']);
  });
});
