/**
 * An inference request (its JSON part, plus the binary section of the binary tensor data
 * extension when there is one) checked and turned into what Model.infer takes: Tensors by input
 * name, and the list of outputs to return. Transport-free: REST JSON, REST binary and msgpack
 * all arrive here.
 */
import { errors } from '../../errors.js';
import type { InferOptions, Model } from '../../model/model.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor, elementCount } from '../../tensor/tensor.js';
import { describe, isPlainObject } from '../../validate.js';
import { dtypeOfDatatype, kDatatypes } from '../../tensor/kserve-datatype.js';
import type { InferParameters, InferRequest, RequestInput } from './inference-types.js';
import { dataFromJson } from './json-tensor-data.js';
import { dataFromRaw } from './raw-tensor-data.js';

/** One output to return, and whether it goes in the binary section. */
export interface OutputPlan {
  name: string;
  binary: boolean;
}

/** A request ready for Model.infer. */
export interface DecodedRequest {
  id: string | undefined;
  feeds: Record<string, Tensor>;
  /** The outputs asked for; undefined for all of them. */
  outputs: OutputPlan[] | undefined;
  /** Whether outputs not asked for by name go in the binary section (binary_data_output). */
  binaryByDefault: boolean;
  /** priority and timeoutMs from the request's parameters (Triton's `priority`, `timeout` in µs). */
  inferOptions: InferOptions;
}

/** Where a body's binary section is read from, input by input, in request order. */
class BinarySection {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  take(size: number, what: string): Uint8Array {
    const end = this.#offset + size;
    if (end > this.#bytes.byteLength) {
      throw errors.invalidArg(`${what}: binary_data_size ${size} runs past the end of the binary data (${this.#bytes.byteLength - this.#offset} bytes left)`);
    }
    const bytes = this.#bytes.subarray(this.#offset, end);
    this.#offset = end;
    return bytes;
  }

  checkConsumed(): void {
    const left = this.#bytes.byteLength - this.#offset;
    if (left !== 0) throw errors.invalidArg(`Request: ${left} bytes of binary data are not claimed by any input's binary_data_size`);
  }
}

function parametersOf(value: unknown, what: string): InferParameters {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw errors.invalidArg(`${what}: parameters must be an object, received ${describe(value)}`);
  return value;
}

function booleanParameter(parameters: InferParameters, name: string, what: string): boolean | undefined {
  const value = parameters[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw errors.invalidArg(`${what}: parameters.${name} must be true or false, received ${describe(value)}`);
  return value;
}

/** The input's tensor: its data from the binary section, a byte string (msgpack) or a JSON array. */
function tensorOf(input: RequestInput, binary: BinarySection | undefined, what: string): Tensor {
  const dtype = dtypeOfDatatype(input.datatype) as DType | undefined;
  if (dtype === undefined) {
    throw errors.invalidArg(`${what}: datatype must be one of ${kDatatypes.join(', ')}, received ${describe(input.datatype)}`);
  }
  if (!Array.isArray(input.shape)) throw errors.invalidArg(`${what}: shape must be an array of integers, received ${describe(input.shape)}`);
  const count = elementCount(input.shape, what);
  const parameters = parametersOf(input.parameters, what);
  const binarySize = parameters.binary_data_size;
  let data;
  if (binarySize !== undefined) {
    if (typeof binarySize !== 'number' || !Number.isSafeInteger(binarySize) || binarySize < 0) {
      throw errors.invalidArg(`${what}: parameters.binary_data_size must be a non-negative integer, received ${describe(binarySize)}`);
    }
    if (binary === undefined) {
      throw errors.invalidArg(`${what}: parameters.binary_data_size is given but the request has no binary data (a binary body needs the Inference-Header-Content-Length header)`);
    }
    if (input.data !== undefined) throw errors.invalidArg(`${what}: give its elements in data or in the binary data (binary_data_size), not both`);
    data = dataFromRaw(dtype, binary.take(binarySize, what), count, what);
  } else if (ArrayBuffer.isView(input.data)) {
    // msgpack byte strings: raw little-endian bytes, as the binary extension (msgpackr packs a
    // typed array this way, and other clients write numpy's tobytes()); a typed array unpacked
    // from msgpackr's own extension counts by its bytes too.
    const view = input.data;
    data = dataFromRaw(dtype, new Uint8Array(view.buffer, view.byteOffset, view.byteLength), count, what);
  } else if (Array.isArray(input.data)) {
    data = dataFromJson(dtype, input.data, count, what);
  } else if (input.data === undefined) {
    throw errors.invalidArg(`${what}: has neither data nor parameters.binary_data_size`);
  } else {
    throw errors.invalidTensor(`${what}: data must be an array of elements, received ${describe(input.data)}`);
  }
  return new Tensor(dtype, data, input.shape);
}

/** The outputs asked for (checked against the model), or undefined for all of them. */
function planOutputs(request: InferRequest, model: Model, binaryByDefault: boolean): OutputPlan[] | undefined {
  const asked = request.outputs;
  if (asked === undefined || asked === null || (Array.isArray(asked) && asked.length === 0)) return undefined;
  if (!Array.isArray(asked)) throw errors.invalidArg(`Request: outputs must be an array, received ${describe(asked)}`);
  const known = new Set(model.outputs.map((output) => output.name));
  const seen = new Set<string>();
  return asked.map((output, index) => {
    if (!isPlainObject(output) || typeof output.name !== 'string') {
      throw errors.invalidArg(`Request: outputs[${index}] must be an object with a name, received ${describe(output)}`);
    }
    const what = `Request output "${output.name}"`;
    if (!known.has(output.name)) {
      throw errors.unknownOutput(`Model "${model.name}" has no output "${output.name}"; its outputs are ${[...known].map((name) => `"${name}"`).join(', ')}`);
    }
    if (seen.has(output.name)) throw errors.invalidArg(`${what} is asked for twice`);
    seen.add(output.name);
    const parameters = parametersOf(output.parameters, what);
    if (parameters.classification !== undefined && parameters.classification !== 0) {
      throw errors.unsupported(`${what}: the classification extension is not supported`);
    }
    return { name: output.name, binary: booleanParameter(parameters, 'binary_data', what) ?? binaryByDefault };
  });
}

/** Triton's request parameters `priority` and `timeout` (µs) as Model.infer options. */
function inferOptionsOf(parameters: InferParameters): InferOptions {
  const options: InferOptions = {};
  const { priority, timeout } = parameters;
  // Triton's protocol: 1 is the highest level, 0 (or absent) the model's default; inferline's
  // levels start at 0, so level = priority - 1 (as the gRPC front reads it too).
  if (priority !== undefined && priority !== 0) {
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0) {
      throw errors.invalidArg(`Request: parameters.priority must be a non-negative integer, received ${describe(priority)}`);
    }
    options.priority = priority - 1;
  }
  if (timeout !== undefined && timeout !== 0) {
    if (typeof timeout !== 'number' || !(timeout > 0)) {
      throw errors.invalidArg(`Request: parameters.timeout must be a positive number of microseconds, received ${describe(timeout)}`);
    }
    options.timeoutMs = timeout / 1000;
  }
  return options;
}

/**
 * Checks a request against `model` and decodes its tensors. `binary` is the binary section of a
 * binary-extension body (inputs with binary_data_size are read from it in order, and it must be
 * used up exactly).
 *
 * @throws ERR_INFERLINE_INVALID_ARG for a malformed request; ERR_INFERLINE_INVALID_TENSOR for data
 * that does not fit its datatype or shape; ERR_INFERLINE_UNKNOWN_OUTPUT for an output the model
 * does not have; ERR_INFERLINE_UNSUPPORTED for the classification extension. (Inputs are checked
 * against the model by Model.infer.)
 */
export function decodeInferRequest(body: unknown, binary: Uint8Array | undefined, model: Model): DecodedRequest {
  if (!isPlainObject(body)) throw errors.invalidArg(`Request: the body must be a JSON object, received ${describe(body)}`);
  const request = body as unknown as InferRequest;
  if (request.id !== undefined && typeof request.id !== 'string') throw errors.invalidArg(`Request: id must be a string, received ${describe(request.id)}`);
  const parameters = parametersOf(request.parameters, 'Request');
  if (!Array.isArray(request.inputs) || request.inputs.length === 0) {
    throw errors.invalidArg(`Request: inputs must be a non-empty array, received ${describe(request.inputs)}`);
  }
  const section = binary === undefined ? undefined : new BinarySection(binary);
  // No prototype: an input named "__proto__" is just a name.
  const feeds: Record<string, Tensor> = Object.create(null) as Record<string, Tensor>;
  for (let i = 0; i < request.inputs.length; i++) {
    const input = request.inputs[i];
    if (!isPlainObject(input) || typeof input.name !== 'string') {
      throw errors.invalidArg(`Request: inputs[${i}] must be an object with a name, received ${describe(input)}`);
    }
    const what = `Model "${model.name}" input "${input.name}"`;
    if (Object.hasOwn(feeds, input.name)) throw errors.invalidArg(`${what} is given twice`);
    feeds[input.name] = tensorOf(input as unknown as RequestInput, section, what);
  }
  section?.checkConsumed();
  const binaryByDefault = booleanParameter(parameters, 'binary_data_output', 'Request') ?? false;
  return { id: request.id, feeds, outputs: planOutputs(request, model, binaryByDefault), binaryByDefault, inferOptions: inferOptionsOf(parameters) };
}
