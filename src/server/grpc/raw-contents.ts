/**
 * Tensor data as the protocol's raw contents (raw_input_contents / raw_output_contents): the
 * elements' little-endian bytes, row-major, no padding; a BYTES element is a 4-byte
 * little-endian length then its bytes. inferline's typed arrays hold the same bytes on a
 * little-endian host, so both ways are views where alignment allows.
 */
import { encodeStrings, decodeStrings } from '../../cache/string-bytes.js';
import { errors } from '../../errors.js';
import { type DType, type TensorData, kDTypes } from '../../tensor/dtype.js';

/**
 * The elements of one raw input. A view of `bytes` (which stay referenced by the tensor) when
 * their offset suits the element size, else a copy: a typed array cannot start mid-element.
 * BYTES elements are decoded as UTF-8 strings, inferline's string dtype.
 *
 * @throws ERR_INFERLINE_INVALID_TENSOR when the byte count does not fit `count` elements.
 */
export function dataFromRaw(dtype: DType, bytes: Uint8Array, count: number, what: string): TensorData {
  const arrayType = kDTypes.get(dtype)!.arrayType;
  if (arrayType === null) {
    const strings = decodeStrings(bytes, count);
    if (strings === undefined) {
      throw errors.invalidTensorRange(`${what}: raw BYTES contents of ${bytes.byteLength} bytes are not ${count} length-prefixed elements (4-byte little-endian length, then the bytes)`);
    }
    return strings;
  }
  const size = arrayType.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== count * size) {
    throw errors.invalidTensorRange(`${what}: raw contents hold ${bytes.byteLength} bytes; the shape needs ${count} elements of ${size} bytes = ${count * size}`);
  }
  const Typed = arrayType as Uint8ArrayConstructor;
  if (bytes.byteOffset % size === 0) return new Typed(bytes.buffer, bytes.byteOffset, count) as unknown as TensorData;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Typed(copy.buffer) as unknown as TensorData;
}

/** One output's raw contents: a view of its typed array's memory, or the encoded strings. */
export function rawFromData(data: TensorData): Uint8Array {
  if (Array.isArray(data)) return encodeStrings(data);
  const typed = data as Exclude<TensorData, string[]>;
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}
