// Each way a ModelInfer can be wrong, and the gRPC status it gets: INVALID_ARGUMENT for a bad
// request, NOT_FOUND for an unknown model or version, INTERNAL when ONNX Runtime fails the run.
// The inferline error code travels in the trailing metadata `inferline-error-code`.
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Model } from '../../../src/index.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startGrpcServer, type GrpcServer } from '../../../src/server/grpc/grpc-server.js';
import { generatedModel } from '../../helpers/paths.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { InferenceClient, expectStatus, inferRequest, rawBytes } from './inference-client.js';

const kSession = { intraOpThreads: 1 } as const;
let server: GrpcServer;
let client: InferenceClient;
const models: Model[] = [];

beforeAll(async () => {
  models.push(await Model.load({ name: 'mlp', path: generatedModel('mlp'), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 8 } }));
  models.push(await Model.load({ name: 'multi-io', path: generatedModel('multi-io'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'int8', path: generatedModel('identity-int8'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'half', path: generatedModel('identity-float16'), session: kSession, instances: { count: 1 } }));
  models.push(await Model.load({ name: 'failing', path: generatedModel('failing'), session: kSession, instances: { count: 1 } }));
  server = await startGrpcServer({ models: new StaticModels(models), port: 0 });
  client = new InferenceClient(server.port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await Promise.all(models.map((model) => model.unload()));
});

const x = randomFloat32(256, 1);
const infer = (request: object): Promise<unknown> => client.call('ModelInfer', request);

describe('INVALID_ARGUMENT', () => {
  it('an unknown datatype', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1, 256], contents: { fp32_contents: [...x] } }] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['input "x"', 'FP32', '"FLOAT"']);
  });

  it('typed contents that do not fill the shape', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 256], contents: { fp32_contents: [...x] } }] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['input "x"', '512 elements', 'fp32_contents', '256']);
  });

  it('typed contents in the wrong field', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 256], contents: { fp64_contents: [...x] } }] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['fp32_contents', 'received 0']);
  });

  it('raw contents of the wrong size', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 256] }], raw_input_contents: [rawBytes(x).subarray(4)] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['1020 bytes', '1024']);
  });

  it('raw contents not one per input', async () => {
    const request = inferRequest('multi-io', [['a', 'float32', [1, 4], new Float32Array(4)], ['b', 'float32', [1, 4], new Float32Array(4)]], true) as { raw_input_contents: Buffer[] };
    request.raw_input_contents.pop();
    await expectStatus(infer(request), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['raw_input_contents has 1 entries for 2 inputs']);
  });

  it('raw and typed contents mixed', async () => {
    const request = inferRequest('multi-io', [['a', 'float32', [1, 4], new Float32Array(4)], ['b', 'float32', [1, 4], new Float32Array(4)]], true) as { inputs: object[] };
    (request.inputs[1] as { contents?: object }).contents = { fp32_contents: [1, 2, 3, 4] };
    await expectStatus(infer(request), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['input "b"', 'raw_input_contents']);
  });

  it('FP16 as typed contents (it has no field)', async () => {
    await expectStatus(infer({ model_name: 'half', inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2], contents: { fp32_contents: [1, 2] } }] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['FP16', 'raw_input_contents']);
  });

  it('an integer out of its datatype\'s range', async () => {
    await expectStatus(infer({ model_name: 'int8', inputs: [{ name: 'x', datatype: 'INT8', shape: [1, 2], contents: { int_contents: [5, 300] } }] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['element 1 (300)', 'INT8']);
  });

  it('a negative dimension', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 256] }], raw_input_contents: [rawBytes(x)] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_TENSOR', ['dim 0']);
  });

  it('a datatype the model does not take', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP64', shape: [1, 256] }], raw_input_contents: [Buffer.alloc(2048)] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_DTYPE_MISMATCH');
  });

  it('a shape the model does not take', async () => {
    await expectStatus(infer({ model_name: 'mlp', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 255] }], raw_input_contents: [Buffer.alloc(1020)] }),
      status.INVALID_ARGUMENT, 'ERR_INFERLINE_SHAPE_MISMATCH');
  });

  it('a missing, an unknown and a repeated input', async () => {
    const a = (): object => ({ name: 'a', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } });
    await expectStatus(infer({ model_name: 'multi-io', inputs: [a()] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_MISSING_INPUT', ['"b"']);
    await expectStatus(infer({ model_name: 'multi-io', inputs: [a(), { ...a(), name: 'b' }, { ...a(), name: 'c' }] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_UNKNOWN_INPUT', ['"c"']);
    await expectStatus(infer({ model_name: 'multi-io', inputs: [a(), a()] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['input "a" is given twice']);
  });

  it('an unknown or repeated requested output', async () => {
    const request = inferRequest('multi-io', [['a', 'float32', [1, 4], new Float32Array(4)], ['b', 'float32', [1, 4], new Float32Array(4)]], false);
    await expectStatus(infer({ ...request, outputs: [{ name: 'difference' }] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_UNKNOWN_OUTPUT', ['"difference"', '"sum"', '"prod"']);
    await expectStatus(infer({ ...request, outputs: [{ name: 'sum' }, { name: 'sum' }] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['"sum" is requested twice']);
  });

  it('bad priority or timeout parameters', async () => {
    const request = inferRequest('mlp', [['x', 'float32', [1, 256], x]], true);
    await expectStatus(infer({ ...request, parameters: { priority: { string_param: 'high' } } }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['"priority"']);
    await expectStatus(infer({ ...request, parameters: { timeout: { int64_param: -5 } } }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['"timeout"']);
    // The model has one priority level: Triton's priority 2 is a second one.
    await expectStatus(infer({ ...request, parameters: { priority: { int64_param: 2 } } }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['priority']);
  });

  it('a request that names no model', async () => {
    await expectStatus(infer({ inputs: [] }), status.INVALID_ARGUMENT, 'ERR_INFERLINE_INVALID_ARG', ['names no model']);
  });
});

describe('NOT_FOUND', () => {
  it('an unknown model or version, for inference and metadata alike', async () => {
    await expectStatus(infer(inferRequest('nope', [['x', 'float32', [1, 256], x]], true)), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL', ['"nope"']);
    await expectStatus(infer(inferRequest('mlp', [['x', 'float32', [1, 256], x]], true, { model_version: '999' })), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL', ['"999"']);
    await expectStatus(client.call('ModelMetadata', { name: 'nope' }), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL');
    await expectStatus(client.call('ModelReady', { name: 'nope' }), status.NOT_FOUND, 'ERR_INFERLINE_UNKNOWN_MODEL');
  });
});

describe('INTERNAL', () => {
  it('ONNX Runtime failing the run', async () => {
    // Reshape of 4 elements to [5,5]: the model loads, the run fails inside ONNX Runtime.
    const request = inferRequest('failing', [['data', 'float32', [4], new Float32Array(4)], ['shape', 'int64', [2], BigInt64Array.from([5n, 5n])]], false);
    const error = await expectStatus(infer(request), status.INTERNAL, 'ERR_INFERLINE_ORT');
    expect(error.details.length).toBeGreaterThan(0);
  });
});
