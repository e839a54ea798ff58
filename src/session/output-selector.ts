/**
 * Resolves run({ outputs }) into output indices and preallocated tensors for the addon:
 * `outputs: ['y']` fetches a subset; `outputs: { y: tensor }` has ORT write into `tensor`.
 */
import { errors } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { describe, isPlainObject } from '../validate.js';
import { formatDeclared, type ValueMetadata } from './value-metadata.js';

export interface SelectedOutputs {
  indices: number[] | undefined;
  preallocated: Array<Tensor | undefined> | undefined;
}

const kAllOutputs: SelectedOutputs = { indices: undefined, preallocated: undefined };

export class OutputSelector {
  readonly #label: string;
  readonly #outputs: readonly ValueMetadata[];
  readonly #indexByName: ReadonlyMap<string, number>;

  constructor(label: string, outputs: readonly ValueMetadata[]) {
    this.#label = label;
    this.#outputs = outputs;
    this.#indexByName = new Map(outputs.map((output, index) => [output.name, index]));
  }

  select(requested: unknown): SelectedOutputs {
    if (requested === undefined) return kAllOutputs;
    if (Array.isArray(requested)) {
      if (requested.length === 0) throw errors.invalidArg(`Session "${this.#label}" run: outputs must name at least one output`);
      return { indices: requested.map((name) => this.#index(name)), preallocated: undefined };
    }
    if (isPlainObject(requested)) {
      const names = Object.keys(requested);
      if (names.length === 0) throw errors.invalidArg(`Session "${this.#label}" run: outputs must name at least one output`);
      const preallocated = names.map((name) => {
        const tensor = requested[name];
        if (tensor === null || tensor === undefined) return undefined;
        if (!(tensor instanceof Tensor)) {
          throw errors.invalidArg(`Session "${this.#label}" output "${name}": a preallocated output must be a Tensor, received ${describe(tensor)}`);
        }
        const declared = this.#outputs[this.#index(name)]!;
        if (tensor.dtype !== declared.dtype) {
          throw errors.dtypeMismatch(`Session "${this.#label}" output "${name}": expected ${declared.dtype}, the preallocated Tensor is ${tensor.dtype}`);
        }
        if (ArrayBuffer.isView(tensor.data) && tensor.data.buffer.byteLength === 0 && tensor.shape.reduce((a, b) => a * b, 1) !== 0) {
          throw errors.detachedBuffer(`Session "${this.#label}" output "${name}": the preallocated Tensor's buffer is detached`);
        }
        const fits =
          tensor.shape.length === declared.shape.length &&
          declared.shape.every((dim, i) => typeof dim !== 'number' || dim === tensor.shape[i]);
        if (!fits) {
          throw errors.shapeMismatch(
            `Session "${this.#label}" output "${name}": expected ${formatDeclared(declared)}, the preallocated Tensor is ${tensor.dtype} [${tensor.shape.join(',')}]`,
          );
        }
        return tensor;
      });
      return { indices: names.map((name) => this.#index(name)), preallocated };
    }
    throw errors.invalidArg(
      `Session "${this.#label}" run: outputs must be an array of output names or an object of { name: Tensor }, received ${describe(requested)}`,
    );
  }

  #index(name: unknown): number {
    const index = typeof name === 'string' ? this.#indexByName.get(name) : undefined;
    if (index === undefined) {
      throw errors.unknownOutput(
        `Session "${this.#label}" has no output named ${JSON.stringify(name)}; its outputs are ${this.#outputs.map((o) => `"${o.name}"`).join(', ')}`,
      );
    }
    return index;
  }
}
