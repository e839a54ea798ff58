// The raw tensor codec (REST binary extension, msgpack byte strings, gRPC raw contents) on its own: views where the element size allows, copies where it does
// not, and strict byte counts; BYTES elements are length-prefixed.
import { describe, expect, it } from 'vitest';
import { dataFromRaw, rawFromData } from '../../../src/server/kserve/raw-tensor-data.js';
import { expectThrows } from '../../helpers/expect-error.js';

/** `bytes` placed `offset` bytes into a larger buffer, as a field inside a received message. */
function at(offset: number, bytes: Uint8Array): Buffer {
  const message = Buffer.alloc(offset + bytes.length + 3);
  message.set(bytes, offset);
  return message.subarray(offset, offset + bytes.length);
}

describe('dataFromRaw', () => {
  const values = Float32Array.from([1.5, -2, 3.25, 0]);
  const bytes = new Uint8Array(values.buffer);

  it('views the message\'s memory when the offset is a multiple of the element size', () => {
    const field = at(8, bytes);
    const data = dataFromRaw('float32', field, 4, 'x') as Float32Array;
    expect(data.buffer).toBe(field.buffer);
    expect([...data]).toEqual([...values]);
  });

  it('copies when it is not, with the same values', () => {
    for (const offset of [1, 2, 3, 5]) {
      const field = at(offset, bytes);
      const data = dataFromRaw('float32', field, 4, 'x') as Float32Array;
      expect(data.buffer).not.toBe(field.buffer);
      expect([...data], `offset ${offset}`).toEqual([...values]);
    }
    const big = BigInt64Array.from([2n ** 63n - 1n, -5n]);
    expect([...(dataFromRaw('int64', at(3, new Uint8Array(big.buffer)), 2, 'x') as BigInt64Array)]).toEqual([...big]);
  });

  it('refuses a byte count that does not fit the shape', () => {
    expectThrows(() => dataFromRaw('float32', at(0, bytes.subarray(0, 15)), 4, 'Model "m" input "x"'), {
      code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['Model "m" input "x"', '15 bytes', '16'],
    });
  });

  it('reads BYTES as 4-byte little-endian lengths and UTF-8, and refuses a bad encoding', () => {
    const encoded = rawFromData(['ab', '', 'é']);
    expect([...encoded]).toEqual([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0xa9]);
    expect(dataFromRaw('string', at(1, encoded), 3, 'x')).toEqual(['ab', '', 'é']);
    expectThrows(() => dataFromRaw('string', encoded, 4, 'input "s"'), { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError', includes: ['input "s"', 'length-prefixed'] });
    expectThrows(() => dataFromRaw('string', encoded.subarray(0, 5), 1, 'input "s"'), { code: 'ERR_INFERLINE_INVALID_TENSOR', kind: 'RangeError' });
  });
});

describe('rawFromData', () => {
  it('views a typed array\'s memory', () => {
    const data = new Int16Array([1, -1, 300]);
    const raw = rawFromData(data);
    expect(raw.buffer).toBe(data.buffer);
    expect([...raw]).toEqual([1, 0, 255, 255, 44, 1]);
  });
});
