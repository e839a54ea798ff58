/**
 * Turns a feeds object into the addon's arguments (data and dims per input, in the session's
 * input order), checking each feed against the model's declaration on the way. Built once per
 * session so that a run does no string work unless it fails.
 */
import { errors } from '../errors.js';
import { type DType, kDTypes } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';
import { formatDeclared, type ValueMetadata } from './value-metadata.js';

export interface BoundFeeds {
  datas: unknown[];
  dims: unknown[];
}

interface FeedView {
  dtype: unknown;
  data: unknown;
  shape: unknown;
}

function viewOf(feed: unknown): FeedView | undefined {
  if (feed instanceof Tensor) return feed;
  if (typeof feed !== 'object' || feed === null) return undefined;
  const record = feed as Record<string, unknown>;
  // onnxruntime-common Tensors and plain { type, data, dims } objects.
  if ('type' in record && 'dims' in record) return { dtype: record.type, data: record.data, shape: record.dims };
  if ('dtype' in record && 'shape' in record) return { dtype: record.dtype, data: record.data, shape: record.shape };
  return undefined;
}

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map(String).join(',')}]`;
}

export class FeedBinder {
  readonly #label: string;
  readonly #inputs: readonly ValueMetadata[];
  readonly #names: ReadonlySet<string>;

  constructor(label: string, inputs: readonly ValueMetadata[]) {
    this.#label = label;
    this.#inputs = inputs;
    this.#names = new Set(inputs.map((input) => input.name));
  }

  bind(feeds: unknown): BoundFeeds {
    const dims = new Array<unknown>(this.#inputs.length);
    return { datas: this.#bind(feeds, dims, undefined), dims };
  }

  /**
   * bind() for runSync: the checked dims go to `list` (per input, its rank then its dims; see
   * native/session/sync_runner.h) instead of an array; returns the data per input.
   */
  bindToList(feeds: unknown, list: Float64Array): unknown[] {
    return this.#bind(feeds, undefined, list);
  }

  #bind(feeds: unknown, dims: unknown[] | undefined, list: Float64Array | undefined): unknown[] {
    if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds) || ArrayBuffer.isView(feeds)) {
      throw errors.invalidArg(
        `Session "${this.#label}" run: feeds must be an object of { inputName: Tensor }, received ${describe(feeds)}`,
      );
    }
    const inputs = this.#inputs;
    const datas = new Array<unknown>(inputs.length);
    let matched = 0;
    let at = 0;
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const feed = (feeds as Record<string, unknown>)[input.name];
      if (feed === undefined) throw this.#missing(input, feeds as object);
      const view = viewOf(feed);
      if (view === undefined) {
        throw errors.invalidArg(`${this.#what(input)}: expected a Tensor (or { type, data, dims }), received ${describe(feed)}`);
      }
      at = this.#check(input, view, list, at);
      datas[i] = view.data;
      if (dims !== undefined) dims[i] = view.shape;
      matched++;
    }
    // Feeds found through the prototype count as given; only extra own keys are unknown.
    if (Object.keys(feeds).length > matched) this.#rejectUnknown(feeds as object);
    return datas;
  }

  #what(input: ValueMetadata): string {
    return `Session "${this.#label}" input "${input.name}"`;
  }

  #missing(input: ValueMetadata, feeds: object): Error {
    if (input.name in feeds) {
      return errors.missingInput(`${this.#what(input)} (${formatDeclared(input)}) is undefined in the feeds; expected a Tensor`);
    }
    const given = Object.keys(feeds);
    return errors.missingInput(
      `${this.#what(input)} (${formatDeclared(input)}) is missing from the feeds` +
        (given.length > 0 ? `; received ${given.map((name) => `"${name}"`).join(', ')}` : ''),
    );
  }

  #rejectUnknown(feeds: object): never {
    const unknown = Object.keys(feeds).filter((name) => !this.#names.has(name));
    throw errors.unknownInput(
      `Session "${this.#label}" has no input named ${unknown.map((name) => `"${name}"`).join(', ')}; ` +
        `its inputs are ${this.#inputs.map((input) => `"${input.name}"`).join(', ')}`,
    );
  }

  /** Checks one feed; with `list`, writes its rank and dims there from `at` and returns where the next goes. */
  #check(input: ValueMetadata, view: FeedView, list: Float64Array | undefined, at: number): number {
    const { dtype, data, shape } = view;
    if (dtype !== input.dtype) {
      throw errors.dtypeMismatch(
        `${this.#what(input)}: expected ${formatDeclared(input)}, received ${String(dtype)}` +
          (Array.isArray(shape) ? ` ${formatShape(shape)}` : ''),
      );
    }
    const info = kDTypes.get(dtype as DType);
    if (info === undefined) {
      throw errors.unsupported(`${this.#what(input)}: element type ${String(dtype)} is not supported by inferline`);
    }
    if (info.arrayType === null ? !Array.isArray(data) : !(data instanceof info.arrayType)) {
      throw errors.dtypeMismatch(
        `${this.#what(input)}: ${String(dtype)} data must be ${info.arrayType === null ? 'an array of strings' : `a ${info.arrayType.name}`}, received ${describe(data)}`,
      );
    }
    if (!Array.isArray(shape)) throw errors.invalidArg(`${this.#what(input)}: dims must be an array, received ${describe(shape)}`);
    const declared = input.shape;
    if (shape.length !== declared.length) {
      throw errors.shapeMismatch(
        `${this.#what(input)}: expected rank ${declared.length} ${formatDeclared(input)}, received ${String(dtype)} ${formatShape(shape)}`,
      );
    }
    if (list !== undefined) list[at++] = shape.length;
    let count = 1;
    for (let d = 0; d < shape.length; d++) {
      const dim = shape[d];
      if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 0) {
        throw errors.invalidTensorRange(`${this.#what(input)}: dim ${d} must be a non-negative integer, received ${describe(dim)}`);
      }
      const fixed = declared[d];
      if (typeof fixed === 'number' && fixed !== dim) {
        throw errors.shapeMismatch(`${this.#what(input)}: expected ${formatDeclared(input)}, received ${String(dtype)} ${formatShape(shape)}`);
      }
      count *= dim;
      if (list !== undefined) list[at++] = dim;
    }
    const length = (data as ArrayLike<unknown>).length;
    if (length !== count) {
      if (length === 0 && ArrayBuffer.isView(data) && data.buffer.byteLength === 0) {
        throw errors.detachedBuffer(`${this.#what(input)}: its data's ArrayBuffer is detached (transferred to another thread?)`);
      }
      throw errors.shapeMismatch(
        `${this.#what(input)}: dims ${formatShape(shape)} need ${count} elements, data has ${length}`,
      );
    }
    return at;
  }
}
