/**
 * What `inferline bench` sends requests to: a KServe v2 server over HTTP (JSON or the binary
 * tensor extension), or a model loaded in this process. Each target builds one request from the
 * model's input metadata (random data; free dims taken as 1 unless --shape says otherwise) and
 * sends it again and again.
 */
import { errors } from '../../errors.js';
import { Model } from '../../model/model.js';
import { jsonTextOfData } from '../../server/kserve/json-tensor-data.js';
import { rawFromData } from '../../server/kserve/raw-tensor-data.js';
import { datatypeOf, dtypeOfDatatype } from '../../tensor/kserve-datatype.js';
import type { DType } from '../../tensor/dtype.js';
import { fillData } from '../../tensor/fill-data.js';
import { Tensor } from '../../tensor/tensor.js';

export interface LoadTarget {
  /** One line saying what is measured. */
  readonly label: string;
  /** Sends one request; resolves when its response is complete (rejects on any failure). */
  send(): Promise<void>;
  close(): Promise<void>;
}

export interface InputSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

const elementCount = (spec: InputSpec): number => spec.shape.reduce((a, b) => a * b, 1);

/** Concrete shapes for a model's inputs: free dims become 1, or what `shapes` gives by name. */
export function inputSpecs(inputs: ReadonlyArray<{ name: string; dtype: DType; shape: ReadonlyArray<number | string | null> }>,
                           shapes: Record<string, number[]>): InputSpec[] {
  return inputs.map((input) => {
    const given = shapes[input.name];
    if (given !== undefined) {
      if (given.length !== input.shape.length) throw errors.invalidArg(`--shape ${input.name}: the model's input has rank ${input.shape.length}, received [${given.join(',')}]`);
      return { name: input.name, dtype: input.dtype, shape: given };
    }
    return { name: input.name, dtype: input.dtype, shape: input.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : 1)) };
  });
}

/** A model loaded here with Model.load (batching on, the model's defaults otherwise). */
export async function inProcessTarget(path: string, shapes: Record<string, number[]>, maxBatchSize: number): Promise<LoadTarget> {
  const model = await Model.load({ name: 'bench', path, batching: { maxBatchSize } });
  const specs = inputSpecs(model.inputs.map((input) => ({ ...input, dtype: input.dtype as DType })), shapes);
  const feeds = Object.fromEntries(specs.map((spec) => [spec.name, new Tensor(spec.dtype, fillData(spec.dtype, elementCount(spec), 'random'), spec.shape)]));
  return {
    label: `in-process Model "${path}" (batching maxBatchSize ${maxBatchSize}), inputs ${specs.map(describeSpec).join(', ')}`,
    send: async () => {
      await model.infer(feeds);
    },
    close: () => model.unload(),
  };
}

function describeSpec(spec: InputSpec): string {
  return `${spec.name} ${spec.dtype} [${spec.shape.join(',')}]`;
}

interface ModelMetadataJson {
  inputs?: Array<{ name: string; datatype: string; shape: number[] }>;
}

/** A KServe v2 REST endpoint: `url` is the server's base URL (http://host:port). */
export async function httpTarget(url: string, modelName: string, shapes: Record<string, number[]>, binary: boolean,
                                 headers: Record<string, string>): Promise<LoadTarget> {
  const base = url.replace(/\/+$/, '');
  const metadataResponse = await fetch(`${base}/v2/models/${encodeURIComponent(modelName)}`, { headers });
  if (!metadataResponse.ok) {
    throw errors.invalidArg(`${base}/v2/models/${modelName}: HTTP ${metadataResponse.status} ${await metadataResponse.text()}`);
  }
  const metadata = (await metadataResponse.json()) as ModelMetadataJson;
  const specs = inputSpecs((metadata.inputs ?? []).map((input) => {
    const dtype = dtypeOfDatatype(input.datatype);
    if (dtype === undefined) throw errors.unsupported(`input "${input.name}": datatype ${input.datatype} is not one inferline knows`);
    return { name: input.name, dtype, shape: input.shape.map((dim) => (dim < 0 ? null : dim)) };
  }), shapes);
  const datas = specs.map((spec) => fillData(spec.dtype, elementCount(spec), 'random'));
  const inferUrl = `${base}/v2/models/${encodeURIComponent(modelName)}/infer`;
  let body: Uint8Array | string;
  const requestHeaders: Record<string, string> = { ...headers };
  if (binary) {
    const header = JSON.stringify({
      inputs: specs.map((spec, i) => ({ name: spec.name, shape: spec.shape, datatype: datatypeOf(spec.dtype), parameters: { binary_data_size: rawFromData(datas[i]!).byteLength } })),
      parameters: { binary_data_output: true },
    });
    const headerBytes = new TextEncoder().encode(header);
    const parts = [headerBytes, ...datas.map(rawFromData)];
    body = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      body.set(part, offset);
      offset += part.byteLength;
    }
    requestHeaders['content-type'] = 'application/octet-stream';
    requestHeaders['inference-header-content-length'] = String(headerBytes.byteLength);
  } else {
    // Built as text: 64-bit integers keep their digits (the server's own JSON writer).
    body = `{"inputs":[${specs.map((spec, i) => `{"name":${JSON.stringify(spec.name)},"shape":[${spec.shape.join(',')}],"datatype":"${datatypeOf(spec.dtype)}","data":${jsonTextOfData(spec.dtype, datas[i]!)}}`).join(',')}]}`;
    requestHeaders['content-type'] = 'application/json';
  }
  return {
    label: `KServe v2 REST ${binary ? 'binary' : 'JSON'} ${inferUrl}, inputs ${specs.map(describeSpec).join(', ')}`,
    send: async () => {
      const response = await fetch(inferUrl, { method: 'POST', headers: requestHeaders, body });
      const bytes = await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${new TextDecoder().decode(bytes).slice(0, 200)}`);
    },
    close: async () => {},
  };
}
