/**
 * A decoded ModelInferRequest as what Model.infer takes: Tensors by input name (views of the
 * request's raw bytes where possible), infer options from the request's parameters, and the
 * outputs the client asked for.
 */
import { errors } from '../../errors.js';
import type { InferOptions } from '../../model/model.js';
import { Tensor, elementCount } from '../../tensor/tensor.js';
import { dtypeOfDatatype, kDatatypes } from '../../tensor/kserve-datatype.js';
import { safeNumberOf } from './long-values.js';
import type { InferInputTensor, InferParameter, ModelInferRequest } from './messages.js';
import { dataFromRaw } from '../kserve/raw-tensor-data.js';
import { dataFromTyped, hasElements } from './typed-contents.js';

export interface DecodedInferRequest {
  feeds: Record<string, Tensor>;
  /** The inputs came as raw_input_contents: the response answers in raw_output_contents. */
  raw: boolean;
  /** The outputs asked for, in the client's order; undefined for all of them. */
  requestedOutputs: string[] | undefined;
  options: InferOptions;
}

/** A shape's dims as numbers. */
function shapeOf(input: InferInputTensor, what: string): number[] {
  return input.shape.map((dim, i) => {
    const value = safeNumberOf(dim);
    if (value === undefined || value < 0) throw errors.invalidTensorRange(`${what}: dim ${i} of the shape must be a non-negative integer, received ${String(dim)}`);
    return value;
  });
}

/** An integer parameter's value, or undefined when it is absent. */
function integerParameter(parameters: Record<string, InferParameter>, name: string, what: string): number | undefined {
  const parameter = parameters[name];
  if (parameter === undefined) return undefined;
  const choice = parameter.parameter_choice;
  const value = choice === 'int64_param' || choice === 'uint64_param' ? safeNumberOf(parameter[choice]!) : undefined;
  if (value === undefined || value < 0) throw errors.invalidArg(`${what}: parameter "${name}" must be a non-negative int64_param or uint64_param`);
  return value;
}

/**
 * The scheduling parameters Triton defines: "priority" (1 is the highest level; 0 or absent, the
 * model's default) and "timeout" (microseconds in the queue). Other parameters are ignored.
 */
function optionsOf(parameters: Record<string, InferParameter>, signal: AbortSignal | undefined, what: string): InferOptions {
  const options: InferOptions = {};
  const priority = integerParameter(parameters, 'priority', what);
  if (priority !== undefined && priority > 0) options.priority = priority - 1;
  const timeoutMicros = integerParameter(parameters, 'timeout', what);
  if (timeoutMicros !== undefined && timeoutMicros > 0) options.timeoutMs = timeoutMicros / 1000;
  if (signal !== undefined) options.signal = signal;
  return options;
}

/**
 * Decodes `request` for model `what` (a name for messages). `signal` aborts the request while it
 * is queued (the call was cancelled or its deadline passed).
 *
 * @throws ERR_INFERLINE_INVALID_ARG for a bad datatype, a repeated input or output name, raw and
 * typed contents mixed, or a bad parameter; ERR_INFERLINE_INVALID_TENSOR when contents do not fit
 * the shape.
 */
export function decodeInferRequest(request: ModelInferRequest, signal: AbortSignal | undefined, what: string): DecodedInferRequest {
  const raw = request.raw_input_contents.length > 0;
  if (raw && request.raw_input_contents.length !== request.inputs.length) {
    throw errors.invalidArg(`${what}: raw_input_contents has ${request.raw_input_contents.length} entries for ${request.inputs.length} inputs; it needs one per input, in order`);
  }
  const feeds: Record<string, Tensor> = {};
  for (let i = 0; i < request.inputs.length; i++) {
    const input = request.inputs[i]!;
    const where = `${what} input "${input.name}"`;
    if (Object.hasOwn(feeds, input.name)) throw errors.invalidArg(`${what}: input "${input.name}" is given twice`);
    const dtype = dtypeOfDatatype(input.datatype);
    if (dtype === undefined) throw errors.invalidArg(`${where}: datatype must be one of ${kDatatypes.join(', ')}, received ${JSON.stringify(input.datatype)}`);
    const shape = shapeOf(input, where);
    const count = elementCount(shape, where);
    let data;
    if (raw) {
      if (hasElements(input.contents)) throw errors.invalidArg(`${where}: has contents while the request carries raw_input_contents; use one or the other for every input`);
      data = dataFromRaw(dtype, request.raw_input_contents[i]!, count, where);
    } else {
      data = dataFromTyped(dtype, input.contents, count, where);
    }
    feeds[input.name] = Tensor.fromTrusted(dtype, data, shape);
  }
  let requestedOutputs: string[] | undefined;
  if (request.outputs.length > 0) {
    requestedOutputs = request.outputs.map((output) => output.name);
    const seen = new Set<string>();
    for (const name of requestedOutputs) {
      if (seen.has(name)) throw errors.invalidArg(`${what}: output "${name}" is requested twice`);
      seen.add(name);
    }
  }
  return { feeds, raw, requestedOutputs, options: optionsOf(request.parameters, signal, what) };
}
