/**
 * The JS half of the staging buffer that runSync, and run() without a signal, use (layout in
 * native/session/sync_runner.h; run() takes one per run in flight): feed dims go
 * in through its list, and the outputs come back as a list of where each one's data is and its
 * shape, small outputs' data copied into the buffer itself. Building the Tensors and the result
 * object here, in JIT-compiled code, costs a fraction of what it costs through Node-API; slicing a
 * small output out of the buffer skips an ArrayBuffer allocation in the addon.
 */
import { type DType, kDTypes, type TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { ValueMetadata } from './value-metadata.js';

/** Room for outputs copied into the buffer (the addon copies those of up to 1 KiB). */
const kDataBytes = 4096;
/** List room per output beyond its declared rank: where + rank, and a little for undeclared ranks. */
const kListSlackPerOutput = 4;

type SliceableArray = Exclude<TensorData, string[]>;

export class SyncStaging {
  /** What the addon reads and writes. */
  readonly buffer: ArrayBuffer;
  /** The list: `buffer` from its second float64 on, as long as the first one says. */
  readonly list: Float64Array;
  readonly #names: readonly string[];
  readonly #dtypes: readonly DType[];
  /** Per output, `buffer` viewed as that output's typed array; made on first use. */
  readonly #views: Array<SliceableArray | undefined>;

  constructor(inputs: readonly ValueMetadata[], outputs: readonly ValueMetadata[]) {
    // Feeds must have their input's declared rank (FeedBinder checks), so this always fits them.
    const inputList = inputs.reduce((sum, input) => sum + 1 + input.shape.length, 0);
    const outputList = outputs.reduce((sum, output) => sum + kListSlackPerOutput + output.shape.length, 0);
    const listLength = Math.max(inputList, outputList);
    this.buffer = new ArrayBuffer((1 + listLength) * 8 + kDataBytes);
    new Float64Array(this.buffer, 0, 1)[0] = listLength;
    this.list = new Float64Array(this.buffer, 8, listLength);
    this.#names = outputs.map((output) => output.name);
    // A non-tensor output never reaches take(): the addon refuses it first.
    this.#dtypes = outputs.map((output) => output.dtype as DType);
    this.#views = new Array(outputs.length);
  }

  /** Writes dims already checked (one array per input, in input order) to the list, as bindToList does. */
  putDims(dims: ReadonlyArray<readonly number[]>): void {
    let at = 0;
    for (const inputDims of dims) {
      this.list[at++] = inputDims.length;
      for (const dim of inputDims) this.list[at++] = dim;
    }
  }

  /**
   * Builds { name: Tensor } from what the addon's runSync returned for the fetched outputs
   * (`indices`, or all of them in order); `preallocated` parallels them.
   */
  take(returned: unknown[] | undefined, indices: readonly number[] | undefined,
       preallocated: ReadonlyArray<Tensor | undefined> | undefined): Record<string, Tensor> {
    const count = indices === undefined ? this.#names.length : indices.length;
    const list = returned !== undefined && returned.length > count ? (returned[count] as Float64Array) : this.list;
    const results: Record<string, Tensor> = {};
    let at = 0;
    for (let i = 0; i < count; i++) {
      const output = indices === undefined ? i : indices[i]!;
      const where = list[at++]!;
      const rank = list[at++]!;
      if (where === -2) {
        results[this.#names[output]!] = preallocated![i]!;
        continue;
      }
      const shape = new Array<number>(rank);
      let elements = 1;
      for (let d = 0; d < rank; d++) elements *= shape[d] = list[at++]!;
      let data: TensorData;
      if (where === -1) {
        data = returned![i] as TensorData;
      } else {
        const view = this.#views[output] ?? this.#view(output);
        const first = where / view.BYTES_PER_ELEMENT;
        data = view.slice(first, first + elements);
      }
      results[this.#names[output]!] = Tensor.fromTrusted(this.#dtypes[output]!, data, shape);
    }
    return results;
  }

  #view(output: number): SliceableArray {
    const arrayType = kDTypes.get(this.#dtypes[output]!)!.arrayType as unknown as new (buffer: ArrayBuffer) => SliceableArray;
    const view = new arrayType(this.buffer);
    this.#views[output] = view;
    return view;
  }
}
