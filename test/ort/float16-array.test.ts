// On hosts with Float16Array, onnxruntime-common keeps float16 data in one; inferline carries the
// same bits in a Uint16Array. Node 20 has no Float16Array, so this file installs a stand-in before
// onnxruntime-common first looks for it: a typed array named Float16Array that is not a
// Uint16Array (it extends Int16Array: same width, other class), so a feed only passes if the
// bridge views it as a Uint16Array, and bits survive only if no conversion happens on the way.
import { beforeAll, describe, expect, it } from 'vitest';
import { generatedModel } from '../helpers/paths.js';

type OrtModule = typeof import('../../src/ort/index.js');

const globals = globalThis as { Float16Array?: unknown };
const kNative = globals.Float16Array !== undefined;

let ort: OrtModule;
beforeAll(async () => {
  if (!kNative) globals.Float16Array = class Float16Array extends Int16Array {};
  // Imported only now, so that onnxruntime-common and the bridge both see the global above.
  ort = await import('../../src/ort/index.js');
});

/** The raw 16-bit patterns of a float16 tensor's data, whatever array holds them. */
function bitsOf(data: unknown): number[] {
  const view = data as ArrayBufferView;
  return [...new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2)];
}

describe('float16 data in a Float16Array', () => {
  // 1.0, -2.0, 65504 (max), a subnormal, +inf and a NaN payload: bit patterns, not values.
  const kBits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e01];

  it('goes in and comes out with the same bits, as Float16Array', async () => {
    const session = await ort.InferenceSession.create(generatedModel('identity-float16'), { intraOpNumThreads: 1 });
    try {
      const x = new ort.Tensor('float16', Uint16Array.from(kBits), [2, 3]);
      expect(x.data.constructor.name).toBe('Float16Array');
      const { y } = await session.run({ x });
      expect(y!.type).toBe('float16');
      expect(y!.data.constructor.name).toBe('Float16Array');
      expect(bitsOf(y!.data)).toEqual(kBits);
    } finally {
      await session.release();
    }
  });

  it('a preallocated float16 output is written in place', async () => {
    const session = await ort.InferenceSession.create(generatedModel('identity-float16'), { intraOpNumThreads: 1 });
    try {
      const x = new ort.Tensor('float16', Uint16Array.from(kBits), [2, 3]);
      const y = new ort.Tensor('float16', new Uint16Array(6), [2, 3]);
      const results = await session.run({ x }, { y });
      expect(results.y).toBe(y);
      expect(bitsOf(y.data)).toEqual(kBits);
    } finally {
      await session.release();
    }
  });
});
