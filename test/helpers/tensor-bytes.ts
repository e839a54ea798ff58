// Bit-exact comparison of tensors from inferline and onnxruntime-node: same dtype, same dims,
// same bytes. Comparing bytes (not numbers) makes -0 vs 0 and NaN payloads count as different.
import { expect } from 'vitest';

/** What both libraries' tensors have in common (inferline's Tensor has `type` and `dims` too). */
export interface ComparableTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The bytes behind a typed array, in place (no copy). */
export function bytesOf(data: ArrayBufferView): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Index of the first differing byte, or -1; -2 when the lengths differ. */
export function firstByteDifference(a: ArrayBufferView, b: ArrayBufferView): number {
  const left = bytesOf(a);
  const right = bytesOf(b);
  if (left.length !== right.length) return -2;
  if (left.equals(right)) return -1;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return index;
  return -1;
}

/** Asserts `actual` is bit-identical to `expected`, naming `what` on failure. */
export function expectSameTensor(actual: ComparableTensor, expected: ComparableTensor, what: string): void {
  expect(actual.type, `${what}: dtype`).toBe(expected.type);
  expect([...actual.dims], `${what}: dims`).toEqual([...expected.dims]);
  if (Array.isArray(expected.data)) {
    expect(actual.data, `${what}: strings`).toEqual(expected.data);
    return;
  }
  const actualData = actual.data as ArrayBufferView;
  const expectedData = expected.data as ArrayBufferView;
  expect(actualData.constructor.name, `${what}: array type`).toBe(expectedData.constructor.name);
  expect(firstByteDifference(actualData, expectedData), `${what}: first differing byte (-1: none)`).toBe(-1);
}
