// The three request encodings (JSON, the binary tensor data extension, msgpack) and the three
// response encodings (JSON data, binary_data, msgpack) carry identical tensors: for FP32, INT64,
// BYTES and BOOL the same request in each encoding gives byte-identical outputs, equal to the
// input (identity models). FP16 travels as bytes. Binary inputs are views of the body when
// aligned: the misaligned-copy counter moves only for a misaligned one.
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import { misalignedRawCopies } from '../../../src/server/kserve/raw-tensor-data.js';
import type { HttpServer } from '../../../src/server/http/http-server.js';
import { randomData } from '../../helpers/random-data.js';
import { type InferResponse, type InputSpec, inferBinary, inferJson, inferMsgpack, loadModels, postRaw, rawBytes, startServer } from './kserve-client.js';

let models: Model[];
let server: HttpServer;

beforeAll(async () => {
  models = await loadModels(['identity-float32', 'identity-int64', 'identity-string', 'identity-bool', 'identity-float16', 'gather']);
  server = await startServer(models);
});

afterAll(async () => {
  await server?.close();
  await Promise.all((models ?? []).map((model) => model.unload()));
});

const inferUrl = (name: string): string => `${server.url}/v2/models/${name}/infer`;

/** INT64 data that JSON can carry exactly (|value| < 2^53), both signs. */
function safeInt64(count: number): BigInt64Array {
  return BigInt64Array.from({ length: count }, (_, index) => BigInt((index % 2 === 0 ? 1 : -1) * (2 ** 52 + index * 7919)));
}

const cases: Array<{ model: string; input: InputSpec }> = [
  { model: 'identity-float32', input: { name: 'x', datatype: 'FP32', shape: [3, 5], data: randomData('float32', 15, 1) as Float32Array } },
  { model: 'identity-int64', input: { name: 'x', datatype: 'INT64', shape: [2, 4], data: safeInt64(8) } },
  { model: 'identity-string', input: { name: 'x', datatype: 'BYTES', shape: [2, 3], data: ['a', '', 'héllo', '€uro', 'x'.repeat(300), 'z'] } },
  { model: 'identity-bool', input: { name: 'x', datatype: 'BOOL', shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) } },
];

/** Every way to send a request and get its outputs back. */
const encodings: Array<[string, (url: string, inputs: InputSpec[]) => Promise<InferResponse>]> = [
  ['JSON in, JSON out', (url, inputs) => inferJson(url, inputs)],
  ['JSON in, binary out', (url, inputs) => inferJson(url, inputs, { parameters: { binary_data_output: true } })],
  ['binary in, JSON out', (url, inputs) => inferBinary(url, inputs)],
  ['binary in, binary out', (url, inputs) => inferBinary(url, inputs, { outputs: [{ name: 'y', parameters: { binary_data: true } }] })],
  ['msgpack in, msgpack out', (url, inputs) => inferMsgpack(url, inputs)],
  ['JSON in, msgpack out (Accept)', (url, inputs) => inferJson(url, inputs, { headers: { accept: 'application/msgpack' } })],
];

describe.each(cases)('$input.datatype through $model', ({ model, input }) => {
  it('gives byte-identical outputs in every encoding, equal to the input', async () => {
    const expected = rawBytes(input.datatype, input.data);
    for (const [label, send] of encodings) {
      const response = await send(inferUrl(model), [input]);
      expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(200);
      expect(response.outputs, label).toHaveLength(1);
      const [output] = response.outputs;
      expect({ name: output!.name, datatype: output!.datatype, shape: output!.shape }, label).toEqual({ name: 'y', datatype: input.datatype, shape: input.shape });
      expect(output!.bytes.equals(expected), `${label}: bytes differ`).toBe(true);
    }
  });
});

describe('bytes-only values', () => {
  it('INT64 beyond 2^53 is exact through binary and msgpack (JSON responses keep every digit)', async () => {
    const data = BigInt64Array.of(2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 9007199254740993n);
    const input: InputSpec = { name: 'x', datatype: 'INT64', shape: [1, 4], data };
    const binary = await inferBinary(inferUrl('identity-int64'), [input], { parameters: { binary_data_output: true } });
    expect(binary.outputs[0]!.bytes.equals(rawBytes('INT64', data))).toBe(true);
    const msgpack = await inferMsgpack(inferUrl('identity-int64'), [input]);
    expect(msgpack.outputs[0]!.bytes.equals(rawBytes('INT64', data))).toBe(true);
    // A JSON response writes every digit (clients that parse big integers get them back exactly).
    const header = JSON.stringify({ inputs: [{ name: 'x', datatype: 'INT64', shape: [1, 4], parameters: { binary_data_size: 32 } }] });
    const text = await (await fetch(inferUrl('identity-int64'), {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([Buffer.from(header), rawBytes('INT64', data)]),
    })).text();
    expect(text).toContain('"data":[4611686018427387905,-9223372036854775808,9223372036854775807,9007199254740993]');
  });

  it('FP16 goes through binary and msgpack as raw 16-bit patterns', async () => {
    const data = randomData('float16', 6, 3) as Uint16Array;
    const input: InputSpec = { name: 'x', datatype: 'FP16', shape: [2, 3], data };
    const binary = await inferBinary(inferUrl('identity-float16'), [input], { parameters: { binary_data_output: true } });
    expect(binary.status, JSON.stringify(binary.body)).toBe(200);
    expect(binary.outputs[0]).toMatchObject({ datatype: 'FP16', shape: [2, 3] });
    expect(binary.outputs[0]!.bytes.equals(rawBytes('FP16', data))).toBe(true);
    const msgpack = await inferMsgpack(inferUrl('identity-float16'), [input]);
    expect(msgpack.status).toBe(200);
    expect(msgpack.outputs[0]!.bytes.equals(rawBytes('FP16', data))).toBe(true);
  });
});

describe('msgpack details', () => {
  it('typed arrays packed with msgpackr\'s own extension (moreTypes) count by their bytes', async () => {
    const data = Float32Array.of(1.5, -2, 3.25, 0);
    const body = new Packr({ moreTypes: true, useRecords: false }).pack({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2], data }] });
    const response = await postRaw(inferUrl('identity-float32'), body, { 'content-type': 'application/x-msgpack' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.outputs[0]!.bytes.equals(rawBytes('FP32', data))).toBe(true);
  });

  it('BYTES elements may be msgpack byte strings as well as strings', async () => {
    const body = new Packr({ useRecords: false }).pack({ inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 2], data: [Buffer.from('héllo'), 'w'] }] });
    const response = await postRaw(inferUrl('identity-string'), body, { 'content-type': 'application/msgpack' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.outputs).toEqual([{ name: 'y', datatype: 'BYTES', shape: [1, 2], data: ['héllo', 'w'] }]);
  });
});

describe('binary inputs are views of the body', () => {
  const gatherInputs = (columns: number): InputSpec[] => [
    { name: 'x', datatype: 'FP32', shape: [1, columns], data: Float32Array.from({ length: columns }, (_, index) => index * 10) },
    { name: 'index', datatype: 'INT64', shape: [1, 1], data: BigInt64Array.of(BigInt(columns - 1)) },
  ];

  it('aligned inputs are not copied; an INT64 after 12 bytes of FP32 is (and is still right)', async () => {
    const before = misalignedRawCopies();
    const aligned = await inferBinary(inferUrl('gather'), gatherInputs(4), { parameters: { binary_data_output: true } });
    expect(aligned.status, JSON.stringify(aligned.body)).toBe(200);
    expect(new Float32Array(Uint8Array.from(aligned.outputs[0]!.bytes).buffer)).toEqual(Float32Array.of(30));
    expect(misalignedRawCopies()).toBe(before);

    const misaligned = await inferBinary(inferUrl('gather'), gatherInputs(3), { parameters: { binary_data_output: true } });
    expect(misaligned.status).toBe(200);
    expect(new Float32Array(Uint8Array.from(misaligned.outputs[0]!.bytes).buffer)).toEqual(Float32Array.of(20));
    expect(misalignedRawCopies()).toBe(before + 1);
  });
});

describe('binary-extension errors', () => {
  const post = (header: string, binary: Buffer, headerLength = Buffer.byteLength(header)) =>
    fetch(inferUrl('identity-float32'), {
      method: 'POST',
      headers: { 'inference-header-content-length': String(headerLength) },
      body: Buffer.concat([Buffer.from(header), binary]),
    }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error: string } }));
  const header = (size: number): string => JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: size } }] });

  it('a binary_data_size that runs past the body', async () => {
    const { status, body } = await post(header(16), Buffer.alloc(8));
    expect(status).toBe(400);
    expect(body.error).toMatch(/input "x": binary_data_size 16 runs past the end of the binary data \(8 bytes left\)/);
  });

  it('binary data left over, and a size that does not fit the shape', async () => {
    expect((await post(header(8), Buffer.alloc(12))).body.error).toMatch(/4 bytes of binary data are not claimed/);
    expect((await post(header(4), Buffer.alloc(4))).body.error).toMatch(/input "x": 4 bytes of data; the shape needs 2 elements × 4 bytes = 8/);
  });

  it('a header length that is not a number, or longer than the body', async () => {
    const bad = await fetch(inferUrl('identity-float32'), { method: 'POST', headers: { 'inference-header-content-length': 'ten' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/Inference-Header-Content-Length must be a byte count/);
    const { status, body } = await post(header(8), Buffer.alloc(8), 5000);
    expect(status).toBe(400);
    expect(body.error).toMatch(/larger than the body/);
  });

  it('BYTES elements that do not parse as length-prefixed', async () => {
    const bytesHeader = JSON.stringify({ inputs: [{ name: 'x', datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: 6 } }] });
    const response = await fetch(inferUrl('identity-string'), {
      method: 'POST',
      headers: { 'inference-header-content-length': String(Buffer.byteLength(bytesHeader)) },
      body: Buffer.concat([Buffer.from(bytesHeader), Buffer.from([9, 0, 0, 0, 65, 66])]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not 1 length-prefixed elements/);
  });

  it('a compressed body is refused by name, not misread', async () => {
    const response = await fetch(inferUrl('identity-float32'), { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from([0x1f, 0x8b]) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/Content-Encoding gzip is not supported/);
  });

  it('msgpack that does not parse', async () => {
    const response = await fetch(inferUrl('identity-float32'), { method: 'POST', headers: { 'content-type': 'application/msgpack' }, body: Buffer.from([0xc1, 0xc1]) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not valid msgpack/);
  });
});
