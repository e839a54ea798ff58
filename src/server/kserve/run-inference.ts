/**
 * One inference request end to end, transport-free: find the model, decode the request, run
 * Model.infer, pick the outputs asked for.
 */
import { errors } from '../../errors.js';
import type { Model } from '../../model/model.js';
import type { ServedModels } from '../../repository/served-models.js';
import { Tensor } from '../../tensor/tensor.js';
import type { DType, TensorData } from '../../tensor/dtype.js';
import { describe, isPlainObject } from '../../validate.js';
import { type OutputPlan, decodeInferRequest } from './decode-infer-request.js';
import type { InferenceResult, InferredOutput } from './inference-types.js';

export interface InferenceCall {
  modelName: string;
  /** A specific version; the newest ready one when undefined or ''. */
  modelVersion?: string;
  /** The request object (the JSON part). */
  body: unknown;
  /** The binary section of a binary-extension body. */
  binary?: Uint8Array;
  /**
   * Whether outputs not asked for in binary are written as JSON arrays (REST JSON and binary
   * responses); false where every output travels as bytes (msgpack). FP16/BF16 have no JSON form.
   */
  jsonOutputs: boolean;
  /** Withdraws the request while it is queued (the client went away). */
  signal?: AbortSignal;
}

/** FP16/BF16 outputs asked for as JSON: refused from the declared dtypes, before the model runs. */
function refuseJsonHalfFloats(model: Model, outputs: readonly OutputPlan[]): void {
  for (const output of outputs) {
    if (output.binary) continue;
    const dtype = model.outputs.find((meta) => meta.name === output.name)?.dtype;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      throw errors.invalidArg(`Model "${model.name}" output "${output.name}" is ${dtype === 'float16' ? 'FP16' : 'BF16'}, which has no JSON form: ask for it with parameters.binary_data: true (or binary_data_output), or use msgpack`);
    }
  }
}

/**
 * Whether a result value is a tensor: a Tensor (from the model), or a `{ dtype, data, shape }`
 * object (what a postprocess handler's tensors become on their way back from its worker).
 */
function isTensorLike(value: unknown): value is Tensor | { dtype: string; data: unknown; shape: unknown[] } {
  if (value instanceof Tensor) return true;
  return isPlainObject(value) && typeof value.dtype === 'string' && 'data' in value && Array.isArray(value.shape);
}

/** Output `name` of `results` as a Tensor, checked. */
function tensorOf(model: Model, results: Record<string, unknown>, name: string): Tensor {
  const value = results[name];
  if (value instanceof Tensor) return value;
  const problem = `Model "${model.name}" output "${name}": to be served over the protocol, a postprocess handler must return { outputName: Tensor or { dtype, data, shape } }`;
  if (!isTensorLike(value)) throw errors.handlerResult(`${problem}, received ${describe(value)}`);
  try {
    return new Tensor(value.dtype as DType, value.data as TensorData, value.shape as number[]);
  } catch (error) {
    throw errors.handlerResult(`${problem}; ${(error as Error).message}`, error);
  }
}

async function inferOn(model: Model, call: InferenceCall): Promise<InferenceResult> {
  const request = decodeInferRequest(call.body, call.binary, model);
  const plan = request.outputs ?? model.outputs.map((output) => ({ name: output.name, binary: request.binaryByDefault }));
  if (call.jsonOutputs) refuseJsonHalfFloats(model, plan);
  const options = call.signal === undefined ? request.inferOptions : { ...request.inferOptions, signal: call.signal };
  const results = await model.infer<Record<string, unknown>>(request.feeds, options);
  if (request.outputs === undefined && !model.outputs.every((output) => results[output.name] instanceof Tensor)) {
    // A postprocess handler may return other names: serve every tensor it returned.
    plan.length = 0;
    for (const [name, value] of Object.entries(results)) if (isTensorLike(value)) plan.push({ name, binary: request.binaryByDefault });
  }
  const outputs = plan.map((output) => ({ name: output.name, tensor: tensorOf(model, results, output.name), binary: output.binary }));
  if (call.jsonOutputs) refuseJsonHalfFloatTensors(model, outputs);
  return { modelName: model.name, modelVersion: model.version, id: request.id, outputs };
}

/** After a postprocess handler: its tensors' dtypes are known only now. */
function refuseJsonHalfFloatTensors(model: Model, outputs: readonly InferredOutput[]): void {
  for (const { name, tensor, binary } of outputs) {
    if (!binary && (tensor.dtype === 'float16' || tensor.dtype === 'bfloat16')) {
      throw errors.invalidArg(`Model "${model.name}" output "${name}" is ${tensor.dtype === 'float16' ? 'FP16' : 'BF16'}, which has no JSON form: ask for it with parameters.binary_data: true (or binary_data_output), or use msgpack`);
    }
  }
}

/**
 * Runs one request on the model `models` serves under that name (and version).
 *
 * A request that meets a model being retired (a new version took its place while the request
 * was on its way) is tried once more on the model now served, so that hot reload drops nothing.
 *
 * @throws (rejects) ERR_INFERLINE_UNKNOWN_MODEL, ERR_INFERLINE_MODEL_NOT_READY (ServedModels.get);
 * the errors of decodeInferRequest; those of Model.infer (feeds, QUEUE_FULL, TIMEOUT,
 * MODEL_UNLOADED, ORT, ...).
 */
export async function runInference(models: ServedModels, call: InferenceCall): Promise<InferenceResult> {
  const model = models.get(call.modelName, call.modelVersion);
  try {
    return await inferOn(model, call);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_INFERLINE_MODEL_UNLOADED') throw error;
    const successor = models.get(call.modelName, call.modelVersion);
    if (successor === model) throw error;
    return inferOn(successor, call);
  }
}
