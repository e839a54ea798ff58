/**
 * A model's results as a ModelInferResponse: the outputs asked for (all, in the model's order,
 * when none were), as raw_output_contents when the request was raw (as Triton answers) or when
 * an output is FP16/BF16 (no typed field exists), else as typed contents.
 */
import { errors } from '../../errors.js';
import type { Model } from '../../model/model.js';
import { Tensor } from '../../tensor/tensor.js';
import { datatypeOf } from '../../tensor/kserve-datatype.js';
import type { InferOutputTensor, ModelInferResponse } from './messages.js';
import { rawFromData } from '../kserve/raw-tensor-data.js';
import { hasTypedField, typedFromData } from './typed-contents.js';

/**
 * @param results what model.infer resolved with: Tensors by output name.
 * @throws ERR_INFERLINE_UNKNOWN_OUTPUT when a requested output is not among the results;
 * ERR_INFERLINE_INTERNAL when a result is not a Tensor (a postprocess handler that returns
 * something else cannot be served over the protocol).
 */
export function encodeInferResponse(model: Model, id: string, results: unknown, requestedOutputs: string[] | undefined,
                                    raw: boolean, what: string): ModelInferResponse {
  if (typeof results !== 'object' || results === null) throw errors.internal(`${what}: the model's result is not an object of Tensors by output name`);
  const byName = results as Record<string, unknown>;
  const names = requestedOutputs ?? Object.keys(byName);
  const tensors: Array<[string, Tensor]> = [];
  for (const name of names) {
    const tensor = Object.hasOwn(byName, name) ? byName[name] : undefined;
    if (tensor === undefined) {
      throw errors.unknownOutput(`${what}: output "${name}" was requested; the model's outputs are ${Object.keys(byName).map((known) => `"${known}"`).join(', ')}`);
    }
    if (!(tensor instanceof Tensor)) throw errors.internal(`${what}: result "${name}" is not a Tensor`);
    tensors.push([name, tensor]);
  }
  const asRaw = raw || tensors.some(([, tensor]) => !hasTypedField(tensor.dtype));
  const outputs: InferOutputTensor[] = [];
  const rawContents: Uint8Array[] = [];
  for (const [name, tensor] of tensors) {
    const output: InferOutputTensor = { name, datatype: datatypeOf(tensor.dtype), shape: tensor.shape as number[] };
    if (asRaw) rawContents.push(rawFromData(tensor.data));
    else output.contents = typedFromData(tensor.dtype, tensor.data);
    outputs.push(output);
  }
  const response: ModelInferResponse = { model_name: model.name, model_version: model.version, id, outputs };
  if (asRaw) response.raw_output_contents = rawContents;
  return response;
}
