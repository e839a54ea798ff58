/**
 * Tensor data as the protocol's raw bytes (the binary tensor data extension over REST, msgpack
 * byte strings, gRPC raw contents): the elements' little-endian bytes, row-major, no padding; a
 * BYTES element is a 4-byte little-endian length, then its bytes. inferline's typed arrays hold
 * the same bytes on a little-endian host (the only kind ONNX Runtime ships for), so both ways
 * are views where alignment allows.
 */
import { decodeStrings, encodeStrings } from '../../cache/string-bytes.js';
import { errors } from '../../errors.js';
import { type DType, type TensorData, kDTypes } from '../../tensor/dtype.js';

/** Raw inputs copied because their offset was not a multiple of their element size. */
let misalignedCopies = 0;

/** How many raw inputs had to be copied (misaligned) since the process started; for tests. */
export function misalignedRawCopies(): number {
  return misalignedCopies;
}

/**
 * The elements of one raw tensor. A view of `bytes` (which the tensor then keeps alive) when
 * their offset suits the element size, else a copy: a typed array cannot start mid-element.
 * BYTES elements become UTF-8 strings, inferline's string dtype.
 *
 * @throws ERR_INFERLINE_INVALID_TENSOR when the byte count does not fit `count` elements.
 */
export function dataFromRaw(dtype: DType, bytes: Uint8Array, count: number, what: string): TensorData {
  const arrayType = kDTypes.get(dtype)!.arrayType;
  if (arrayType === null) {
    const strings = decodeStrings(bytes, count);
    if (strings === undefined) {
      throw errors.invalidTensorRange(`${what}: ${bytes.byteLength} bytes of BYTES data are not ${count} length-prefixed elements (each a 4-byte little-endian length, then its bytes)`);
    }
    return strings;
  }
  const size = arrayType.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== count * size) {
    throw errors.invalidTensorRange(`${what}: ${bytes.byteLength} bytes of data; the shape needs ${count} elements × ${size} bytes = ${count * size}`);
  }
  const Typed = arrayType as Uint8ArrayConstructor;
  if (bytes.byteOffset % size === 0) return new Typed(bytes.buffer, bytes.byteOffset, count) as unknown as TensorData;
  misalignedCopies++;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Typed(copy.buffer) as unknown as TensorData;
}

/** A tensor's raw bytes: a view of its typed array's memory (no copy), or the encoded strings. */
export function rawFromData(data: TensorData): Buffer {
  if (Array.isArray(data)) return encodeStrings(data);
  const typed = data as Exclude<TensorData, string[]>;
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}
