/** Splitting a batch's caller-owned (preallocated) outputs into each request's rows. */
import type { TensorData } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { BoundFeeds } from './feed-binder.js';
import type { Results } from './session.js';
import type { ValueMetadata } from './value-metadata.js';

/**
 * Adds each request's rows of the caller's whole-batch output tensors to its results, as views
 * (the addon leaves preallocated outputs to the caller, who owns that memory).
 */
export function splitPreallocated(results: Results[], requests: readonly BoundFeeds[], preallocated: ReadonlyArray<Tensor | undefined>,
                           outputs: readonly ValueMetadata[]): Results[] {
  for (let o = 0; o < preallocated.length; o++) {
    const batch = preallocated[o];
    if (batch === undefined) continue;
    const data = batch.data as Exclude<TensorData, string[]>;
    const rowDims = batch.shape.slice(1);
    const rowElements = rowDims.reduce((a, b) => a * b, 1);
    const View = data.constructor as new (buffer: ArrayBufferLike, byteOffset: number, length: number) => typeof data;
    let row = 0;
    for (let r = 0; r < requests.length; r++) {
      const rows = (requests[r]!.dims[0] as number[])[0]!;
      const view = new View(data.buffer, data.byteOffset + row * rowElements * data.BYTES_PER_ELEMENT, rows * rowElements);
      results[r]![outputs[o]!.name] = Tensor.fromTrusted(batch.dtype, view, [rows, ...rowDims]);
      row += rows;
    }
  }
  return results;
}
