/**
 * An inference result as the protocol's response: JSON text (outputs as flat `data` arrays, or,
 * binary tensor data extension, as `binary_data_size` with their bytes after the JSON), or a
 * msgpack-ready object (every output's data as bytes, BYTES as strings).
 */
import { datatypeOf } from '../../tensor/kserve-datatype.js';
import type { InferenceResult } from './inference-types.js';
import { jsonTextOfData } from './json-tensor-data.js';
import { rawFromData } from './raw-tensor-data.js';

/** A REST response: the JSON, and the binary section's pieces in output order (empty if none). */
export interface RestResponse {
  json: string;
  binary: Buffer[];
}

/** The response's opening fields (everything but outputs), as JSON text ending with a comma. */
function headText(result: InferenceResult): string {
  let text = `{"model_name":${JSON.stringify(result.modelName)},"model_version":${JSON.stringify(result.modelVersion)},`;
  if (result.id !== undefined) text += `"id":${JSON.stringify(result.id)},`;
  return text;
}

/**
 * The response's JSON (built as text: 64-bit integers keep every digit) and, for outputs asked
 * for in binary, their bytes: views of the output tensors, not copies.
 */
export function encodeRestResponse(result: InferenceResult): RestResponse {
  const binary: Buffer[] = [];
  let text = `${headText(result)}"outputs":[`;
  for (let i = 0; i < result.outputs.length; i++) {
    const { name, tensor, binary: asBinary } = result.outputs[i]!;
    if (i > 0) text += ',';
    text += `{"name":${JSON.stringify(name)},"datatype":"${datatypeOf(tensor.dtype)}","shape":[${tensor.shape.join(',')}],`;
    if (asBinary) {
      const bytes = rawFromData(tensor.data);
      binary.push(bytes);
      text += `"parameters":{"binary_data_size":${bytes.byteLength}}}`;
    } else {
      text += `"data":${jsonTextOfData(tensor.dtype, tensor.data)}}`;
    }
  }
  return { json: `${text}]}`, binary };
}

/** The response as an object for msgpack: numeric data as little-endian bytes, BYTES as strings. */
export function msgpackResponse(result: InferenceResult): Record<string, unknown> {
  const response: Record<string, unknown> = { model_name: result.modelName, model_version: result.modelVersion };
  if (result.id !== undefined) response.id = result.id;
  response.outputs = result.outputs.map(({ name, tensor }) => ({
    name,
    datatype: datatypeOf(tensor.dtype),
    shape: [...tensor.shape],
    data: Array.isArray(tensor.data) ? tensor.data : rawFromData(tensor.data),
  }));
  return response;
}
