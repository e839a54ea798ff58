// new Tensor(...) with bad arguments: each throws ERR_INFERLINE_INVALID_TENSOR or
// ERR_INFERLINE_DTYPE_MISMATCH, as the TypeError/RangeError its factory makes, naming what came.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { type ExpectedError, expectThrows } from '../helpers/expect-error.js';

/** Calls the constructor with arguments its types forbid. */
function construct(...args: unknown[]): Tensor {
  return new (Tensor as unknown as new (...a: unknown[]) => Tensor)(...args);
}

interface BadTensorCase {
  what: string;
  args: () => unknown[];
  expected: ExpectedError;
}

const kCases: BadTensorCase[] = [
  // Element type.
  { what: 'an unknown dtype', args: () => ['complex64', new Float32Array(2), [2]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['new Tensor', 'dtype must be one of', 'float32', 'received complex64'] } },
  { what: 'a misspelt dtype', args: () => ['float', new Float32Array(2), [2]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['dtype must be one of', 'received float'] } },
  { what: 'no arguments', args: () => [], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['new Tensor(data)', 'typed array'] } },
  { what: 'data alone that is not a typed array', args: () => [{}], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['typed array or an array of strings'] } },
  { what: 'data alone that is an array of numbers', args: () => [[1, 2, 3]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['typed array or an array of strings'] } },
  // Typed array that does not fit the dtype.
  { what: 'an Int32Array for float32', args: () => ['float32', new Int32Array(4), [4]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['float32', 'Float32Array', 'received Int32Array'] } },
  { what: 'a Float64Array for float32', args: () => ['float32', new Float64Array(4), [4]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['Float32Array', 'received Float64Array'] } },
  { what: 'an Int32Array for int64', args: () => ['int64', new Int32Array(4), [4]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['int64', 'BigInt64Array', 'received Int32Array'] } },
  { what: 'a BigUint64Array for int64', args: () => ['int64', new BigUint64Array(4), [4]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['BigInt64Array', 'received BigUint64Array'] } },
  { what: 'a Float32Array for float16', args: () => ['float16', new Float32Array(4), [4]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['float16', 'Uint16Array', 'received Float32Array'] } },
  { what: 'null data', args: () => ['float32', null, [2]], expected: { code: 'ERR_INFERLINE_DTYPE_MISMATCH', kind: 'TypeError', includes: ['float32', 'Float32Array'] } },
  // Strings.
  { what: 'a number among string data', args: () => ['string', ['a', 1], [2]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['array of strings'] } },
  { what: 'a typed array as string data', args: () => ['string', new Uint8Array(2), [2]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['array of strings'] } },
  // Shape.
  { what: 'a shape holding more elements than the data', args: () => ['float32', new Float32Array(4), [2, 3]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['shape [2,3]', '6 elements', 'data has 4'] } },
  { what: 'a shape holding fewer elements than the data', args: () => [new Float32Array(4), [3]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['shape [3]', '3 elements', 'data has 4'] } },
  { what: 'a shape that is not an array', args: () => ['float32', new Float32Array(4), 4], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['shape must be an array'] } },
  { what: 'a negative dim', args: () => ['float32', new Float32Array(4), [-1, -4]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 0', 'non-negative integer', 'received number -1'] } },
  { what: 'a non-integer dim', args: () => ['float32', new Float32Array(4), [2, 1.5]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 1', 'received number 1.5'] } },
  { what: 'a NaN dim', args: () => ['float32', new Float32Array(4), [NaN]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 0', 'received number NaN'] } },
  { what: 'an Infinity dim', args: () => ['float32', new Float32Array(4), [Infinity]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 0', 'received number Infinity'] } },
  { what: 'a null dim', args: () => ['float32', new Float32Array(4), [null]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 0', 'received null'] } },
  // "received 4" for the string '4' reads as if 4 were fine: what came must be shown as a string.
  { what: 'a string dim', args: () => ['float32', new Float32Array(4), ['4']], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['dim 0', /["']4["']|string/] } },
  // Plain arrays are converted; a value the conversion cannot take must still be our error.
  { what: 'a non-integer in int64 array data', args: () => ['int64', [1.5], [1]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['int64', '1.5'] } },
  { what: 'a non-numeric string in int64 array data', args: () => ['int64', ['a'], [1]], expected: { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'TypeError', includes: ['int64'] } },
];

describe('new Tensor errors', () => {
  it.each(kCases)('$what', ({ args, expected }) => {
    expectThrows(() => construct(...args()), expected);
  });

  it('the right arguments construct a tensor (control)', () => {
    const tensor = new Tensor('float32', new Float32Array(6), [2, 3]);
    expect(tensor.shape).toEqual([2, 3]);
    expect(new Tensor('string', ['a', 'b'], [2]).data).toEqual(['a', 'b']);
    expect(new Tensor('int64', [1, 2], [2]).data).toEqual(new BigInt64Array([1n, 2n]));
    expect(new Tensor(new Uint8Array(0), [0, 5]).shape).toEqual([0, 5]);
  });
});
