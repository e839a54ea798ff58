/**
 * Warmup requests run on a freshly loaded version before it reports READY, so that its first real
 * requests do not pay for ONNX Runtime's first-run allocations (Triton's model_warmup).
 */
import { errors } from '../errors.js';
import { kResetStats } from '../model/internal.js';
import type { Model } from '../model/model.js';
import { fillData, type FillValue as WarmupFill } from '../tensor/fill-data.js';
import { dtypeOfDatatype, kDatatypes } from '../tensor/kserve-datatype.js';
import { type DType, isDType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { checkKnownOptions, describe, isInteger, isPlainObject } from '../validate.js';
import { wrapOptionError } from './declared-io.js';

/** How a warmup input is filled: one number everywhere, zeros, or random values. */
export type { FillValue as WarmupFill } from '../tensor/fill-data.js';

/** One input of a warmup request: its shape (concrete), and optionally datatype and fill. */
export interface WarmupInput {
  /** KServe datatype; checked against the model when given. */
  datatype?: string;
  shape: number[];
  /** Default 'zero'. */
  fill?: WarmupFill;
}

/** One warmup request: a value per model input. */
export interface WarmupSample {
  inputs: Record<string, WarmupInput>;
}

/** config.json's `warmup`: requests, or true / "auto" (one request from the model's shapes), or false. */
export type WarmupConfig = WarmupSample[] | boolean | 'auto';

export type ResolvedWarmup = WarmupSample[] | 'auto' | false;

const kSampleKeys = ['inputs'] as const;
const kInputKeys = ['datatype', 'shape', 'fill'] as const;

/** Checks config.json's warmup (shapes against the model come later, in warmupFeeds). */
export function resolveWarmup(input: unknown, where: string): ResolvedWarmup {
  if (input === undefined || input === true || input === 'auto') return 'auto';
  if (input === false) return false;
  if (!Array.isArray(input)) throw errors.modelConfig(`${where}: warmup must be true, false, "auto" or an array of { "inputs": { ... } }, received ${describe(input)}`);
  return input.map((sample: unknown, i) => {
    const what = `${where}: warmup[${i}]`;
    if (!isPlainObject(sample) || !isPlainObject(sample.inputs)) throw errors.modelConfig(`${what} must be { "inputs": { "<name>": { "shape": [...] } } }, received ${JSON.stringify(sample)}`);
    wrapOptionError(() => checkKnownOptions(sample, kSampleKeys, what));
    const inputs: Record<string, WarmupInput> = {};
    for (const [name, value] of Object.entries(sample.inputs)) {
      const whatInput = `${what}.inputs.${name}`;
      if (!isPlainObject(value)) throw errors.modelConfig(`${whatInput} must be { "shape": [...], "datatype"?, "fill"? }, received ${describe(value)}`);
      wrapOptionError(() => checkKnownOptions(value, kInputKeys, whatInput));
      if (!Array.isArray(value.shape) || !value.shape.every((dim) => isInteger(dim, 0))) {
        throw errors.modelConfig(`${whatInput}.shape must be an array of non-negative integers, received ${JSON.stringify(value.shape)}`);
      }
      if (value.datatype !== undefined && dtypeOfDatatype(value.datatype) === undefined) {
        throw errors.modelConfig(`${whatInput}.datatype must be one of ${kDatatypes.join(', ')}, received ${describe(value.datatype)}`);
      }
      const fill = value.fill ?? 'zero';
      if (fill !== 'zero' && fill !== 'random' && !(typeof fill === 'number' && Number.isFinite(fill))) {
        throw errors.modelConfig(`${whatInput}.fill must be a finite number, "zero" or "random", received ${describe(fill)}`);
      }
      inputs[name] = { shape: [...(value.shape as number[])], fill: fill as WarmupFill, ...(value.datatype === undefined ? {} : { datatype: value.datatype as string }) };
    }
    return { inputs };
  });
}

function tensorOf(dtype: DType, shape: readonly number[], fill: WarmupFill): Tensor {
  const count = shape.reduce((product, dim) => product * dim, 1);
  return new Tensor(dtype, fillData(dtype, count, fill), shape);
}

/**
 * The warmup requests for a loaded model: `'auto'` gives one request of zeros with every free
 * dimension 1 (none when an input has a type inferline cannot build); samples are checked against
 * the model's inputs. A model with a preprocess handler gets no automatic warmup, since its
 * requests are whatever the handler takes, not tensors.
 * @throws ERR_INFERLINE_MODEL_CONFIG when a sample does not fit the model.
 */
export function warmupFeeds(model: Model, warmup: ResolvedWarmup, hasPreprocess: boolean, where: string): Array<Record<string, Tensor>> {
  if (warmup === false) return [];
  if (warmup === 'auto') {
    if (hasPreprocess || !model.inputs.every((meta) => isDType(meta.dtype))) return [];
    const feeds: Record<string, Tensor> = {};
    for (const meta of model.inputs) {
      feeds[meta.name] = tensorOf(meta.dtype as DType, meta.shape.map((dim) => (typeof dim === 'number' ? dim : 1)), 'zero');
    }
    return [feeds];
  }
  if (hasPreprocess) {
    throw errors.modelConfig(`${where}: warmup requests are tensors for the model, but this model has a preprocess handler that takes other input; remove warmup or set it to false`);
  }
  return warmup.map((sample, i) => {
    const what = `${where}: warmup[${i}]`;
    const unknown = Object.keys(sample.inputs).find((name) => !model.inputs.some((meta) => meta.name === name));
    if (unknown !== undefined) throw errors.modelConfig(`${what} has input "${unknown}", but the model's inputs are ${model.inputs.map((m) => `"${m.name}"`).join(', ')}`);
    const feeds: Record<string, Tensor> = {};
    for (const meta of model.inputs) {
      const input = sample.inputs[meta.name];
      if (input === undefined) throw errors.modelConfig(`${what} gives no value for the model's input "${meta.name}"`);
      if (!isDType(meta.dtype)) throw errors.modelConfig(`${what}: input "${meta.name}" has type ${meta.dtype}, which warmup cannot build`);
      if (input.datatype !== undefined && dtypeOfDatatype(input.datatype) !== meta.dtype) {
        throw errors.modelConfig(`${what}: input "${meta.name}" is given as ${input.datatype}, but the model takes ${meta.dtype}`);
      }
      const fits = input.shape.length === meta.shape.length && input.shape.every((dim, d) => typeof meta.shape[d] !== 'number' || meta.shape[d] === dim);
      if (!fits) {
        throw errors.modelConfig(`${what}: input "${meta.name}" has shape [${input.shape.join(',')}], which does not fit the model's [${meta.shape.map((d) => d ?? '?').join(',')}]`);
      }
      feeds[meta.name] = tensorOf(meta.dtype, input.shape, input.fill ?? 'zero');
    }
    return feeds;
  });
}

/**
 * Runs the warmup requests one after another, then empties the result cache so that warmup
 * results are never served as real ones.
 * @throws ERR_INFERLINE_MODEL_CONFIG wrapping the first failure.
 */
export async function runWarmup(model: Model, requests: ReadonlyArray<Record<string, Tensor>>, where: string): Promise<void> {
  for (let i = 0; i < requests.length; i++) {
    try {
      await model.infer(requests[i]);
    } catch (cause) {
      throw errors.modelConfig(`${where}: warmup request ${i + 1} of ${requests.length} failed: ${(cause as Error).message}`, cause);
    }
  }
  model.cache?.clear();
  // Warmup is not traffic: stats() and the metrics read from it start from zero.
  model[kResetStats](requests.length);
}
