// POST .../infer over JSON: results against Model.infer on the same input, the request id echoed,
// nested or flat data, requested outputs, binary_data / binary_data_output, versions, and every
// 400 a malformed request gets (the message names the input or output at fault).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import type { HttpServer } from '../../../src/server/http/http-server.js';
import { randomFloat32 } from '../../helpers/random-data.js';
import { call, inferBinary, inferJson, type InputSpec, loadModels, postRaw, startServer } from './kserve-client.js';

let models: Model[];
let server: HttpServer;
let url: string;

beforeAll(async () => {
  models = await loadModels(['add', 'mlp', 'multi-io', 'identity-int8', 'identity-int64', 'identity-float16', 'gather']);
  server = await startServer(models);
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const model = (name: string): Model => models.find((candidate) => candidate.name === name)!;
const inferUrl = (name: string): string => `${url}/v2/models/${name}/infer`;

function mlpInput(rows: number, seed: number): InputSpec {
  return { name: 'x', datatype: 'FP32', shape: [rows, 256], data: randomFloat32(rows * 256, seed) };
}

async function errorOf(response: Promise<{ status: number; body: Record<string, unknown> }>, status: number): Promise<string> {
  const { status: actual, body } = await response;
  expect(actual, JSON.stringify(body)).toBe(status);
  expect(Object.keys(body)).toEqual(['error']);
  return body.error as string;
}

describe('JSON inference', () => {
  it('returns what Model.infer returns for the same input, and echoes the id', async () => {
    const input = mlpInput(3, 1);
    const response = await inferJson(inferUrl('mlp'), [input], { id: 'request-42' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'request-42' });
    const expected = await model('mlp').infer({ x: new Tensor('float32', input.data as Float32Array, [3, 256]) });
    const [output] = response.outputs;
    expect(output).toMatchObject({ name: 'y', datatype: 'FP32', shape: [3, 256] });
    expect(output!.bytes.equals(Buffer.from((expected.y!.data as Float32Array).buffer))).toBe(true);
  });

  it('leaves id out when the request has none', async () => {
    const response = await inferJson(inferUrl('add'), [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16) }]);
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('id');
  });

  it('accepts data nested by dimension as well as flat', async () => {
    const nested = { inputs: [{ name: 'a', datatype: 'FP32', shape: [2, 4], data: [[1, 2, 3, 4], [5, 6, 7, 8]] }, { name: 'b', datatype: 'FP32', shape: [2, 4], data: [1, 1, 1, 1, 2, 2, 2, 2] }] };
    const response = await postRaw(inferUrl('multi-io'), JSON.stringify(nested), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const outputs = response.body.outputs as Array<{ name: string; data: number[] }>;
    expect(outputs.map((output) => output.name)).toEqual(['sum', 'prod']);
    expect(outputs[0]!.data).toEqual([2, 3, 4, 5, 7, 8, 9, 10]);
    expect(outputs[1]!.data).toEqual([1, 2, 3, 4, 10, 12, 14, 16]);
  });

  it('answers on /versions/:v/infer for that version', async () => {
    const response = await inferJson(`${url}/v2/models/add/versions/1/infer`, [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(2) }]);
    expect(response.status).toBe(200);
    expect(response.body.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(3) }]);
  });

  it('a body without a content type is JSON', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(0) }] });
    const response = await fetch(inferUrl('add'), { method: 'POST', body: new Blob([body]) });
    expect(response.status).toBe(200);
  });
});

describe('requested outputs', () => {
  const multiInputs = (): InputSpec[] => [
    { name: 'a', datatype: 'FP32', shape: [1, 4], data: Float32Array.of(1, 2, 3, 4) },
    { name: 'b', datatype: 'FP32', shape: [1, 4], data: Float32Array.of(2, 2, 2, 2) },
  ];

  it('returns only the outputs asked for, in the order asked', async () => {
    const response = await inferJson(inferUrl('multi-io'), multiInputs(), { outputs: [{ name: 'prod' }] });
    expect(response.body.outputs).toEqual([{ name: 'prod', datatype: 'FP32', shape: [1, 4], data: [2, 4, 6, 8] }]);
    const both = await inferJson(inferUrl('multi-io'), multiInputs(), { outputs: [{ name: 'prod' }, { name: 'sum' }] });
    expect((both.body.outputs as Array<{ name: string }>).map((output) => output.name)).toEqual(['prod', 'sum']);
  });

  it('binary_data: true sends that output in the binary section, the others as JSON', async () => {
    const response = await inferJson(inferUrl('multi-io'), multiInputs(), { outputs: [{ name: 'sum', parameters: { binary_data: true } }, { name: 'prod' }] });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Number(response.headers.get('inference-header-content-length'))).toBeGreaterThan(0);
    const [sum, prod] = response.body.outputs as Array<Record<string, unknown>>;
    expect(sum).toEqual({ name: 'sum', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } });
    expect(prod).toEqual({ name: 'prod', datatype: 'FP32', shape: [1, 4], data: [2, 4, 6, 8] });
    expect(new Float32Array(Uint8Array.from(response.outputs[0]!.bytes).buffer)).toEqual(Float32Array.of(3, 4, 5, 6));
  });

  it('binary_data_output: true sends every output in binary unless an output says otherwise', async () => {
    const all = await inferJson(inferUrl('multi-io'), multiInputs(), { parameters: { binary_data_output: true } });
    expect((all.body.outputs as Array<Record<string, unknown>>).every((output) => output.data === undefined)).toBe(true);
    expect(all.outputs.map((output) => output.bytes.length)).toEqual([16, 16]);
    const mixed = await inferJson(inferUrl('multi-io'), multiInputs(), {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'sum', parameters: { binary_data: false } }, { name: 'prod' }],
    });
    const [sum, prod] = mixed.body.outputs as Array<Record<string, unknown>>;
    expect(sum!.data).toEqual([3, 4, 5, 6]);
    expect(prod!.parameters).toEqual({ binary_data_size: 16 });
  });

  it('400 for an output the model does not have (ERR_INFERLINE_UNKNOWN_OUTPUT), naming it and the real ones', async () => {
    const message = await errorOf(inferJson(inferUrl('multi-io'), multiInputs(), { outputs: [{ name: 'ratio' }] }), 400);
    expect(message).toContain('"ratio"');
    expect(message).toContain('"sum", "prod"');
  });
});

describe('models with a postprocess handler', () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
  const summarize = fileURLToPath(new URL('../../fixtures/handlers/summarize.mjs', import.meta.url));
  const x: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(1) };

  it('serves the tensors the handler returns, under its names', async () => {
    const [doubled] = await loadModels(['add'], { postprocess: fixture('double-y.mjs') });
    const other = await startServer([doubled!]);
    try {
      const response = await inferJson(`${other.url}/v2/models/add/infer`, [x]);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.outputs).toEqual([{ name: 'doubled', datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(4) }]);
    } finally {
      await other.close();
      await doubled!.unload();
    }
  });

  it('a handler result that is not tensors is a 400 (ERR_INFERLINE_HANDLER_RESULT) saying what to return', async () => {
    const [summarized] = await loadModels(['add'], { postprocess: summarize });
    const other = await startServer([summarized!]);
    try {
      const response = await inferJson(`${other.url}/v2/models/add/infer`, [x], { outputs: [{ name: 'y' }] });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatch(/output "y": to be served over the protocol, a postprocess handler must return/);
    } finally {
      await other.close();
      await summarized!.unload();
    }
  });
});

describe('400 for malformed requests, naming what is wrong', () => {
  const x16 = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name: 'x', datatype: 'FP32', shape: [1, 16], data: new Array(16).fill(0), ...extra });
  const post = (name: string, body: unknown) => postRaw(inferUrl(name), typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json' });

  it('a body that is not JSON', async () => {
    expect(await errorOf(post('add', '{"inputs": ['), 400)).toMatch(/not valid JSON/);
  });

  it('no body, no inputs, inputs not objects', async () => {
    expect(await errorOf(postRaw(inferUrl('add'), '', { 'content-type': 'application/json' }), 400)).toMatch(/needs a request body/);
    expect(await errorOf(post('add', { inputs: [] }), 400)).toMatch(/inputs must be a non-empty array/);
    expect(await errorOf(post('add', { inputs: [3] }), 400)).toMatch(/inputs\[0\] must be an object with a name/);
    expect(await errorOf(post('add', [1, 2]), 400)).toMatch(/must be a JSON object/);
  });

  it('an unknown datatype', async () => {
    const message = await errorOf(post('add', { inputs: [x16({ datatype: 'FLOAT' })] }), 400);
    expect(message).toContain('input "x"');
    expect(message).toContain('FP32');
  });

  it('an element count that does not match the shape (ERR_INFERLINE_INVALID_TENSOR)', async () => {
    const message = await errorOf(post('add', { inputs: [x16({ shape: [1, 15] })] }), 400);
    expect(message).toMatch(/input "x": data has 16 elements; the shape needs 15/);
  });

  it('a negative or fractional dim', async () => {
    expect(await errorOf(post('add', { inputs: [x16({ shape: [1, -16] })] }), 400)).toMatch(/dim 1/);
  });

  it('a wrong datatype for the model (ERR_INFERLINE_DTYPE_MISMATCH)', async () => {
    const message = await errorOf(post('add', { inputs: [x16({ datatype: 'INT32' })] }), 400);
    expect(message).toMatch(/input "x": expected float32 \[1,16\], received int32/);
  });

  it('a wrong shape for the model (ERR_INFERLINE_SHAPE_MISMATCH)', async () => {
    const message = await errorOf(post('add', { inputs: [x16({ shape: [2, 8] })] }), 400);
    expect(message).toContain('input "x"');
  });

  it('an unknown input (ERR_INFERLINE_UNKNOWN_INPUT) and a missing one (ERR_INFERLINE_MISSING_INPUT)', async () => {
    expect(await errorOf(post('add', { inputs: [x16(), x16({ name: 'z' })] }), 400)).toMatch(/no input named "z"/);
    const a = { name: 'a', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] };
    expect(await errorOf(post('multi-io', { inputs: [a] }), 400)).toMatch(/input "b".*missing/);
  });

  it('an input given twice', async () => {
    expect(await errorOf(post('add', { inputs: [x16(), x16()] }), 400)).toMatch(/input "x" is given twice/);
  });

  it('elements that do not fit the datatype', async () => {
    const int8 = (data: unknown[]) => ({ inputs: [{ name: 'x', datatype: 'INT8', shape: [1, data.length], data }] });
    expect(await errorOf(post('identity-int8', int8([1, 300])), 400)).toMatch(/element 1 must be an integer from -128 to 127, received number 300/);
    expect(await errorOf(post('identity-int8', int8([1.5])), 400)).toMatch(/element 0 must be an integer/);
    expect(await errorOf(post('add', { inputs: [x16({ data: [...new Array(15).fill(0), 'a'] })] }), 400)).toMatch(/element 15 must be a number/);
  });

  it('INT64 beyond 2^53 in JSON is refused, not served wrong', async () => {
    const body = { inputs: [{ name: 'x', datatype: 'INT64', shape: [1, 1], data: [2 ** 60] }] };
    expect(await errorOf(post('identity-int64', body), 400)).toMatch(/not exact: send INT64 data through the binary tensor data extension/);
  });

  it('FP16 as a JSON array is refused with the way to send it', async () => {
    const body = { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2], data: [1, 2] }] };
    expect(await errorOf(post('identity-float16', body), 400)).toMatch(/FP16 data cannot be sent as a JSON array.*binary tensor data extension/);
  });

  it('an FP16 output asked for as JSON is refused before the model runs', async () => {
    const response = await inferBinary(inferUrl('identity-float16'), [{ name: 'x', datatype: 'FP16', shape: [1, 2], data: Uint16Array.of(0x3c00, 0x4000) }]);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/output "y" is FP16, which has no JSON form: ask for it with parameters.binary_data: true/);
  });

  it('bad parameters', async () => {
    expect(await errorOf(post('add', { inputs: [x16()], parameters: { binary_data_output: 'yes' } }), 400)).toMatch(/binary_data_output must be true or false/);
    expect(await errorOf(post('add', { inputs: [x16()], parameters: { priority: 9 } }), 400)).toMatch(/priority/);
    expect(await errorOf(post('add', { inputs: [x16()], outputs: [{ name: 'y', parameters: { classification: 3 } }] }), 400)).toMatch(/classification extension is not supported/);
    expect(await errorOf(post('add', { inputs: [x16({ parameters: { binary_data_size: 64 } })] }), 400)).toMatch(/no binary data/);
  });

  it('an unsupported content type', async () => {
    expect(await errorOf(postRaw(inferUrl('add'), 'x', { 'content-type': 'text/plain' }), 400)).toMatch(/Content-Type text\/plain is not supported/);
    expect(await errorOf(postRaw(inferUrl('add'), 'x', { 'content-type': 'application/octet-stream' }), 400)).toMatch(/needs the Inference-Header-Content-Length header/);
  });

  it('a batch failure inside ONNX Runtime is a 500 with its message', async () => {
    // gather: an index outside the row makes ONNX Runtime fail the run (ERR_INFERLINE_ORT).
    const body = { inputs: [
      { name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] },
      { name: 'index', datatype: 'INT64', shape: [1, 1], data: [9] },
    ] };
    const message = await errorOf(post('gather', body), 500);
    expect(message.length).toBeGreaterThan(0);
  });

  it('GET on an infer route is a 404', async () => {
    expect((await call(inferUrl('add'))).status).toBe(404);
  });
});
