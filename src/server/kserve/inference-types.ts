/**
 * The KServe v2 (Open Inference Protocol) inference request and response as JSON objects: the
 * body of REST `POST .../infer`, the JSON header of a binary-extension body, and (with typed
 * arrays or byte strings for `data`) a msgpack body. Field names are the protocol's.
 */
import type { Tensor } from '../../tensor/tensor.js';

/** Request or tensor parameters: the protocol allows any JSON value per name. */
export type InferParameters = Record<string, unknown>;

/** One input tensor of a request. */
export interface RequestInput {
  name: string;
  /** One non-negative integer per dimension. */
  shape: number[];
  /** A protocol datatype: 'FP32', 'INT64', 'BYTES', ... */
  datatype: string;
  /** `binary_data_size`: this input's bytes are in the binary section, not in `data`. */
  parameters?: InferParameters;
  /**
   * The elements, row-major: a flat or nested JSON array (numbers, booleans for BOOL, strings for
   * BYTES). In msgpack also a byte string (raw little-endian bytes, as the binary extension).
   */
  data?: unknown;
}

/** One output a request asks for. */
export interface RequestOutput {
  name: string;
  /** `binary_data: true` returns this output in the binary section. */
  parameters?: InferParameters;
}

/** An inference request (the JSON part). */
export interface InferRequest {
  /** Echoed in the response. */
  id?: string;
  /** `binary_data_output: true` returns every output in the binary section; `priority`, `timeout` (µs). */
  parameters?: InferParameters;
  inputs: RequestInput[];
  /** The outputs to return; all of the model's when absent or empty. */
  outputs?: RequestOutput[];
}

/** One output of a response, as a Tensor plus how the client asked for it. */
export interface InferredOutput {
  name: string;
  tensor: Tensor;
  /** Sent in the binary section (binary extension) rather than as JSON `data`. */
  binary: boolean;
}

/** What an inference produced, before it is encoded for a transport. */
export interface InferenceResult {
  modelName: string;
  modelVersion: string;
  /** The request's id, when it had one. */
  id: string | undefined;
  /** In the order the request asked for them (else the model's order). */
  outputs: InferredOutput[];
}
